using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FaceKit.Gallery.Search;

/// <summary>
/// An int8 copy of every template row, with per-row norms that bound how far a score computed from
/// the copy can be from the float score. Exact search is bound by memory bandwidth (2 KB a row at
/// 512-d); scanning a quarter of the bytes first and rescoring in float only the rows whose bound
/// reaches the top-k leaves the answer unchanged and makes the scan several times faster.
/// </summary>
internal sealed class QuantizedRows
{
    // The scan reads 32 codes per step, so rows are padded with zeros to a multiple of 32.
    private const int Block = 32;

    private sbyte[] _codes = [];
    private float[] _scale = [];
    private float[] _errorNorm = [];
    private float[] _codedNorm = [];

    /// <summary>The int8 scan needs AVX2; without it search is the plain float scan.</summary>
    public static bool Supported => Avx2.IsSupported;

    public int Dimension { get; private set; }

    public int Stride { get; private set; }

    public void Reset(int dimension, int capacity)
    {
        Dimension = dimension;
        Stride = (dimension + Block - 1) / Block * Block;
        _codes = new sbyte[(long)capacity * Stride];
        _scale = new float[capacity];
        _errorNorm = new float[capacity];
        _codedNorm = new float[capacity];
    }

    public void Grow(int capacity)
    {
        Array.Resize(ref _codes, capacity * Stride);
        Array.Resize(ref _scale, capacity);
        Array.Resize(ref _errorNorm, capacity);
        Array.Resize(ref _codedNorm, capacity);
    }

    public void Set(int row, ReadOnlySpan<float> vector) =>
        Encode(vector, _codes.AsSpan(row * Stride, Stride), out _scale[row], out _errorNorm[row], out _codedNorm[row]);

    public void Move(int from, int to)
    {
        _codes.AsSpan(from * Stride, Stride).CopyTo(_codes.AsSpan(to * Stride, Stride));
        _scale[to] = _scale[from];
        _errorNorm[to] = _errorNorm[from];
        _codedNorm[to] = _codedNorm[from];
    }

    /// <summary>
    /// For each of the first <paramref name="count"/> rows, an interval certain to hold the float
    /// dot product of that row with <paramref name="probe"/>.
    /// </summary>
    public unsafe void Bounds(ReadOnlySpan<float> probe, int count, Span<float> lower, Span<float> upper)
    {
        Span<sbyte> probeCodes = stackalloc sbyte[Stride];
        Encode(probe, probeCodes, out float probeScale, out float probeError, out float probeCodedNorm);
        Span<byte> magnitudes = stackalloc byte[Stride];
        for (int i = 0; i < Stride; i++) magnitudes[i] = (byte)Math.Abs(probeCodes[i]);

        // p·t = p̂·t̂ + p̂·e + f·t̂ + f·e, with p̂, t̂ the decoded copies and f, e their errors; each
        // extra term is bounded by Cauchy–Schwarz. The slack covers float rounding in the scores
        // and in the norms themselves.
        float slack = 4e-7f * Dimension + 1e-5f;
        fixed (sbyte* codes = _codes)
        fixed (sbyte* p = probeCodes)
        fixed (byte* m = magnitudes)
        {
            for (int row = 0; row < count; row++)
            {
                float coarse = probeScale * _scale[row] * Ann.AnnKernels.DotCodes(codes + (long)row * Stride, p, m, Stride);
                float bound = probeCodedNorm * _errorNorm[row] + probeError * (_codedNorm[row] + _errorNorm[row]) + slack;
                lower[row] = coarse - bound;
                upper[row] = coarse + bound;
            }
        }
    }

    /// <summary>Symmetric int8 codes with one scale per vector (<see cref="Ann.AnnKernels.Encode"/>); reports the norms of the error and of the decoded vector.</summary>
    private static void Encode(ReadOnlySpan<float> vector, Span<sbyte> codes, out float scale, out float errorNorm, out float codedNorm)
    {
        scale = Ann.AnnKernels.Encode(vector, codes);
        float[] buffer = ArrayPool<float>.Shared.Rent(vector.Length);
        try
        {
            // Codes are whole numbers in [-127, 127]: decoding them is exact, so the norms equal those of the rounded values.
            var work = buffer.AsSpan(0, vector.Length);
            TensorPrimitives.ConvertChecked<sbyte, float>(codes[..vector.Length], work);
            TensorPrimitives.Multiply(work, scale, work);
            codedNorm = TensorPrimitives.Norm(work);
            TensorPrimitives.Subtract(vector, work, work);
            errorNorm = TensorPrimitives.Norm(work);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }
}
