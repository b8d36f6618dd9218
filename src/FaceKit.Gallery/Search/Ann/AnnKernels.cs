using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FaceKit.Gallery.Search.Ann;

/// <summary>The SIMD inner loops of the IVF index: blocked float dots for k-means, int8 dots for the list scan.</summary>
internal static class AnnKernels
{
    /// <summary>Int8 rows are padded with zeros to a multiple of this, so the scan needs no tail loop.</summary>
    public const int CodeBlock = 32;

    // Rows are scored against every centroid in blocks: a block stays in L1/L2 while the centroids
    // stream past once per block instead of once per row (at 1M rows × 1024 centroids that is the
    // difference between ~2 TB and ~100 GB read from L3).
    private const int RowBlock = 16;

    public static int Stride(int dimension) => (dimension + CodeBlock - 1) / CodeBlock * CodeBlock;

    /// <summary>
    /// For rows [<paramref name="first"/>, <paramref name="first"/>+<paramref name="count"/>) of
    /// <paramref name="rows"/>, the index of the centroid with the highest dot product and that product.
    /// </summary>
    public static unsafe void Nearest(float[] rows, int first, int count, int dimension, float[] centroids, int centroidCount,
        Span<int> nearest, Span<float> score)
    {
        nearest[..count].Fill(0);
        score[..count].Fill(float.NegativeInfinity);
        fixed (float* r = rows)
        fixed (float* c = centroids)
        {
            for (int block = 0; block < count; block += RowBlock)
            {
                int n = Math.Min(RowBlock, count - block);
                float* blockRows = r + (long)(first + block) * dimension;
                for (int k = 0; k < centroidCount; k++)
                {
                    float* centroid = c + (long)k * dimension;
                    int i = 0;
                    for (; i + 4 <= n; i += 4)
                    {
                        float* a = blockRows + (long)i * dimension;
                        Dot4(a, a + dimension, a + 2 * dimension, a + 3 * dimension, centroid, dimension,
                            out float s0, out float s1, out float s2, out float s3);
                        Keep(nearest, score, block + i, k, s0);
                        Keep(nearest, score, block + i + 1, k, s1);
                        Keep(nearest, score, block + i + 2, k, s2);
                        Keep(nearest, score, block + i + 3, k, s3);
                    }
                    for (; i < n; i++)
                        Keep(nearest, score, block + i, k, TensorPrimitives.Dot(
                            new ReadOnlySpan<float>(blockRows + (long)i * dimension, dimension), new ReadOnlySpan<float>(centroid, dimension)));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(Span<int> nearest, Span<float> score, int row, int centroid, float s)
    {
        if (s > score[row])
        {
            score[row] = s;
            nearest[row] = centroid;
        }
    }

    /// <summary>Four dot products sharing one pass over <paramref name="b"/>.</summary>
    private static unsafe void Dot4(float* a0, float* a1, float* a2, float* a3, float* b, int length,
        out float s0, out float s1, out float s2, out float s3)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<float> v0 = default, v1 = default, v2 = default, v3 = default;
            for (; i + 8 <= length; i += 8)
            {
                var bv = Vector256.Load(b + i);
                v0 = MulAdd(Vector256.Load(a0 + i), bv, v0);
                v1 = MulAdd(Vector256.Load(a1 + i), bv, v1);
                v2 = MulAdd(Vector256.Load(a2 + i), bv, v2);
                v3 = MulAdd(Vector256.Load(a3 + i), bv, v3);
            }
            s0 = Vector256.Sum(v0);
            s1 = Vector256.Sum(v1);
            s2 = Vector256.Sum(v2);
            s3 = Vector256.Sum(v3);
        }
        else
        {
            s0 = s1 = s2 = s3 = 0;
        }
        for (; i < length; i++)
        {
            s0 += a0[i] * b[i];
            s1 += a1[i] * b[i];
            s2 += a2[i] * b[i];
            s3 += a3[i] * b[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> sum) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, sum) : sum + a * b;

    /// <summary>Symmetric int8 codes with one scale per vector (value ≈ code × scale); the padding is zeroed.</summary>
    public static float Encode(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        float largest = TensorPrimitives.MaxMagnitude(vector);
        largest = MathF.Abs(largest);
        float scale = largest > 0 ? largest / 127f : 1f;
        float[] buffer = ArrayPool<float>.Shared.Rent(vector.Length);
        try
        {
            var work = buffer.AsSpan(0, vector.Length);
            TensorPrimitives.Divide(vector, scale, work);
            TensorPrimitives.Round(work, work);
            TensorPrimitives.Min(work, 127f, work);
            TensorPrimitives.Max(work, -127f, work);
            TensorPrimitives.ConvertTruncating(work, codes[..vector.Length]);
            codes[vector.Length..].Clear();
            return scale;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The probe in the form <see cref="DotCodes"/> multiplies with: its codes and their magnitudes
    /// (both <c>codes.Length</c> = the padded stride). Returns the probe's scale.
    /// </summary>
    public static float EncodeProbe(ReadOnlySpan<float> probe, Span<sbyte> codes, Span<byte> magnitudes)
    {
        float scale = Encode(probe, codes);
        for (int i = 0; i < codes.Length; i++) magnitudes[i] = (byte)Math.Abs(codes[i]);
        return scale;
    }

    /// <summary>Integer dot product of one padded int8 row with the probe (<paramref name="length"/> a multiple of 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe int DotCodes(sbyte* codes, sbyte* probe, byte* probeMagnitude, int length)
    {
        if (Avx2.IsSupported)
        {
            // u8×s8 multiply-add (vpmaddubsw) takes 32 pairs an instruction: the probe's magnitude is the
            // unsigned side and its sign moves onto the row's code (vpsignb). Codes are within ±127, so a
            // pair sums to at most 2·127² = 32258 and the int16 step never saturates.
            var ones = Vector256.Create((short)1);
            var sum0 = Vector256<int>.Zero;
            var sum1 = Vector256<int>.Zero;
            int k = 0;
            for (; k + 64 <= length; k += 64)
            {
                var c0 = Avx2.Sign(Avx.LoadVector256(codes + k), Avx.LoadVector256(probe + k));
                var c1 = Avx2.Sign(Avx.LoadVector256(codes + k + 32), Avx.LoadVector256(probe + k + 32));
                sum0 = Avx2.Add(sum0, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(probeMagnitude + k), c0), ones));
                sum1 = Avx2.Add(sum1, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(probeMagnitude + k + 32), c1), ones));
            }
            for (; k < length; k += CodeBlock)
            {
                var c = Avx2.Sign(Avx.LoadVector256(codes + k), Avx.LoadVector256(probe + k));
                sum0 = Avx2.Add(sum0, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(probeMagnitude + k), c), ones));
            }
            return Vector256.Sum(Avx2.Add(sum0, sum1));
        }
        int total = 0;
        for (int i = 0; i < length; i++) total += codes[i] * probe[i];
        return total;
    }
}
