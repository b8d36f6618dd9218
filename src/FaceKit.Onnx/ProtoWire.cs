using System.Buffers.Binary;
using System.Text;

namespace FaceKit.Onnx;

/// <summary>Protocol-buffer wire types (the encoding layer, independent of any schema).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// A forward-only reader of the protobuf wire format over one message's bytes. Nested messages are read by
/// a new reader over the sub-slice, so raw tensor data is sliced, never copied.
/// </summary>
internal struct ProtoReader(ReadOnlyMemory<byte> data)
{
    private readonly ReadOnlyMemory<byte> _data = data;
    private int _pos;

    public readonly bool End => _pos >= _data.Length;

    /// <summary>Reads the next field key; false at the end of the message.</summary>
    public bool Next(out int field, out WireType wire)
    {
        if (End)
        {
            field = 0;
            wire = 0;
            return false;
        }
        ulong key = ReadVarint();
        field = (int)(key >> 3);
        wire = (WireType)(key & 7);
        if (field <= 0) throw new InvalidDataException($"invalid protobuf field number {field} at byte {_pos}");
        return true;
    }

    public ulong ReadVarint()
    {
        var span = _data.Span;
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= span.Length) throw new InvalidDataException("truncated protobuf varint");
            byte b = span[_pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException("protobuf varint longer than 10 bytes");
    }

    public long ReadInt64() => (long)ReadVarint();

    public int ReadInt32() => (int)(long)ReadVarint();

    public float ReadFloat()
    {
        Need(4);
        float v = BinaryPrimitives.ReadSingleLittleEndian(_data.Span.Slice(_pos, 4));
        _pos += 4;
        return v;
    }

    public double ReadDouble()
    {
        Need(8);
        double v = BinaryPrimitives.ReadDoubleLittleEndian(_data.Span.Slice(_pos, 8));
        _pos += 8;
        return v;
    }

    public ReadOnlyMemory<byte> ReadBytes()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos)) throw new InvalidDataException($"protobuf length {len} runs past the end of the message");
        var slice = _data.Slice(_pos, (int)len);
        _pos += (int)len;
        return slice;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes().Span);

    public ProtoReader ReadMessage() => new(ReadBytes());

    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Need(8); _pos += 8; break;
            case WireType.Fixed32: Need(4); _pos += 4; break;
            case WireType.LengthDelimited: ReadBytes(); break;
            case WireType.StartGroup:
                while (Next(out _, out var w) && w != WireType.EndGroup) Skip(w);
                break;
            default: throw new InvalidDataException($"unknown protobuf wire type {(int)wire}");
        }
    }

    /// <summary>A repeated int64 field arrives packed (proto3, length-delimited) or one value per key (proto2).</summary>
    public void ReadRepeatedInt64(WireType wire, List<long> into)
    {
        if (wire == WireType.LengthDelimited)
        {
            var inner = ReadMessage();
            while (!inner.End) into.Add(inner.ReadInt64());
        }
        else into.Add(ReadInt64());
    }

    public void ReadRepeatedInt32(WireType wire, List<int> into)
    {
        if (wire == WireType.LengthDelimited)
        {
            var inner = ReadMessage();
            while (!inner.End) into.Add(inner.ReadInt32());
        }
        else into.Add(ReadInt32());
    }

    public void ReadRepeatedFloat(WireType wire, List<float> into)
    {
        if (wire == WireType.LengthDelimited)
        {
            var inner = ReadMessage();
            while (!inner.End) into.Add(inner.ReadFloat());
        }
        else into.Add(ReadFloat());
    }

    public void ReadRepeatedDouble(WireType wire, List<double> into)
    {
        if (wire == WireType.LengthDelimited)
        {
            var inner = ReadMessage();
            while (!inner.End) into.Add(inner.ReadDouble());
        }
        else into.Add(ReadDouble());
    }

    private readonly void Need(int n)
    {
        if (_data.Length - _pos < n) throw new InvalidDataException("truncated protobuf fixed-width value");
    }
}

/// <summary>A protobuf wire-format writer; nested messages are written into a child writer, then length-prefixed.</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    public void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _stream.WriteByte((byte)value);
    }

    private void Key(int field, WireType wire) => Varint((ulong)field << 3 | (ulong)wire);

    public void Int64(int field, long value)
    {
        Key(field, WireType.Varint);
        Varint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Key(field, WireType.Fixed32);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _stream.Write(b);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, WireType.LengthDelimited);
        Varint((ulong)value.Length);
        _stream.Write(value);
    }

    public void String(int field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        Bytes(field, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Writes repeated strings one key each, keeping empty entries (ONNX uses "" for an absent optional input).</summary>
    public void Strings(int field, IEnumerable<string> values)
    {
        foreach (var v in values) Bytes(field, Encoding.UTF8.GetBytes(v));
    }

    public void Message(int field, Action<ProtoWriter> body)
    {
        var child = new ProtoWriter();
        body(child);
        Bytes(field, child._stream.GetBuffer().AsSpan(0, (int)child._stream.Length));
    }

    public void PackedInt64(int field, IReadOnlyCollection<long> values)
    {
        if (values.Count == 0) return;
        var child = new ProtoWriter();
        foreach (var v in values) child.Varint((ulong)v);
        Bytes(field, child._stream.GetBuffer().AsSpan(0, (int)child._stream.Length));
    }

    public void PackedFloat(int field, IReadOnlyCollection<float> values)
    {
        if (values.Count == 0) return;
        var buffer = new byte[values.Count * 4];
        int i = 0;
        foreach (var v in values) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i++), v);
        Bytes(field, buffer);
    }
}
