using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FaceKit.Gallery.Sqlite;

/// <summary>Template vectors as stored: little-endian float32, whatever the machine's byte order.</summary>
internal static class VectorBlob
{
    public static byte[] Encode(ReadOnlySpan<float> vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(vector).CopyTo(bytes);
        }
        else
        {
            for (int i = 0; i < vector.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }
        return bytes;
    }

    public static void Decode(ReadOnlySpan<byte> bytes, Span<float> vector)
    {
        if (bytes.Length != vector.Length * sizeof(float))
            throw new ArgumentException($"{bytes.Length} bytes cannot hold {vector.Length} floats", nameof(bytes));
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(vector));
        }
        else
        {
            for (int i = 0; i < vector.Length; i++)
                vector[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float)));
        }
    }
}
