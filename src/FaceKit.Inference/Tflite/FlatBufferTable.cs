using System.Buffers.Binary;
using System.Text;

namespace FaceKit.Inference.Tflite;

/// <summary>
/// A table inside a FlatBuffer, read in place: the vtable says which fields are present and where. Only
/// the accessors the TFLite schema needs exist (scalars, strings, vectors of scalars and of tables).
/// Every offset is bounds-checked, so a corrupt file fails with <see cref="InvalidDataException"/>.
/// </summary>
internal readonly struct FlatBufferTable
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly int _position;

    private FlatBufferTable(ReadOnlyMemory<byte> buffer, int position)
    {
        _buffer = buffer;
        _position = position;
    }

    /// <summary>The root table: the first uoffset of the buffer points at it.</summary>
    public static FlatBufferTable Root(ReadOnlyMemory<byte> buffer)
    {
        if (buffer.Length < 8) throw new InvalidDataException("too short for a FlatBuffer");
        return new FlatBufferTable(buffer, CheckedTarget(buffer.Span, 0));
    }

    /// <summary>The 4-byte file identifier that follows the root offset ("TFL3" for TFLite).</summary>
    public static string Identifier(ReadOnlyMemory<byte> buffer) =>
        buffer.Length < 8 ? "" : Encoding.ASCII.GetString(buffer.Span.Slice(4, 4));

    public ReadOnlyMemory<byte> Buffer => _buffer;

    /// <summary>Byte position of field <paramref name="index"/> (0-based, in schema order), or 0 when absent.</summary>
    private int Field(int index)
    {
        var span = _buffer.Span;
        int vtable = _position - ReadInt32(span, _position);
        int vtableSize = ReadUInt16(span, vtable);
        int slot = 4 + 2 * index;
        if (slot + 2 > vtableSize) return 0;
        int offset = ReadUInt16(span, vtable + slot);
        return offset == 0 ? 0 : _position + offset;
    }

    public bool Has(int index) => Field(index) != 0;

    public int Int32(int index, int fallback = 0) => Field(index) is var p and not 0 ? ReadInt32(_buffer.Span, p) : fallback;

    public uint UInt32(int index, uint fallback = 0) => Field(index) is var p and not 0 ? (uint)ReadInt32(_buffer.Span, p) : fallback;

    public sbyte Int8(int index, sbyte fallback = 0) => Field(index) is var p and not 0 ? (sbyte)ReadByte(_buffer.Span, p) : fallback;

    public byte UInt8(int index, byte fallback = 0) => Field(index) is var p and not 0 ? ReadByte(_buffer.Span, p) : fallback;

    public bool Bool(int index, bool fallback = false) => Field(index) is var p and not 0 ? ReadByte(_buffer.Span, p) != 0 : fallback;

    public float Float32(int index, float fallback = 0)
    {
        int p = Field(index);
        if (p == 0) return fallback;
        Need(_buffer.Span, p, 4);
        return BinaryPrimitives.ReadSingleLittleEndian(_buffer.Span.Slice(p, 4));
    }

    public ulong UInt64(int index, ulong fallback = 0)
    {
        int p = Field(index);
        if (p == 0) return fallback;
        Need(_buffer.Span, p, 8);
        return BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Span.Slice(p, 8));
    }

    public string? String(int index)
    {
        var bytes = VectorBytes(index, 1);
        return bytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;
    }

    public FlatBufferTable? Table(int index)
    {
        int p = Field(index);
        return p == 0 ? null : new FlatBufferTable(_buffer, CheckedTarget(_buffer.Span, p));
    }

    /// <summary>Start (first element) and element count of a vector field; count −1 when absent.</summary>
    private (int Start, int Count) Vector(int index, int elementSize)
    {
        int p = Field(index);
        if (p == 0) return (0, -1);
        var span = _buffer.Span;
        int start = CheckedTarget(span, p);
        long count = (uint)ReadInt32(span, start);
        if (start + 4 + count * elementSize > span.Length) throw new InvalidDataException("FlatBuffer vector runs past the end of the file");
        return (start + 4, (int)count);
    }

    /// <summary>The raw bytes of a vector of <paramref name="elementSize"/>-byte scalars; null when absent.</summary>
    public ReadOnlyMemory<byte>? VectorBytes(int index, int elementSize)
    {
        var (start, count) = Vector(index, elementSize);
        return count < 0 ? null : _buffer.Slice(start, count * elementSize);
    }

    public int[] Int32Vector(int index)
    {
        var (start, count) = Vector(index, 4);
        if (count <= 0) return [];
        var result = new int[count];
        for (int i = 0; i < count; i++) result[i] = ReadInt32(_buffer.Span, start + 4 * i);
        return result;
    }

    /// <summary>A vector of tables: each element is a uoffset relative to its own position.</summary>
    public FlatBufferTable[] TableVector(int index)
    {
        var (start, count) = Vector(index, 4);
        if (count <= 0) return [];
        var result = new FlatBufferTable[count];
        for (int i = 0; i < count; i++) result[i] = new FlatBufferTable(_buffer, CheckedTarget(_buffer.Span, start + 4 * i));
        return result;
    }

    private static int CheckedTarget(ReadOnlySpan<byte> span, int at)
    {
        long target = at + (long)(uint)ReadInt32(span, at);
        if (target < 0 || target + 4 > span.Length) throw new InvalidDataException($"FlatBuffer offset at byte {at} points outside the file");
        return (int)target;
    }

    private static int ReadInt32(ReadOnlySpan<byte> span, int at)
    {
        Need(span, at, 4);
        return BinaryPrimitives.ReadInt32LittleEndian(span.Slice(at, 4));
    }

    private static int ReadUInt16(ReadOnlySpan<byte> span, int at)
    {
        Need(span, at, 2);
        return BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(at, 2));
    }

    private static byte ReadByte(ReadOnlySpan<byte> span, int at)
    {
        Need(span, at, 1);
        return span[at];
    }

    private static void Need(ReadOnlySpan<byte> span, int at, int count)
    {
        if (at < 0 || at + count > span.Length) throw new InvalidDataException($"FlatBuffer read at byte {at} runs past the end of the file");
    }
}
