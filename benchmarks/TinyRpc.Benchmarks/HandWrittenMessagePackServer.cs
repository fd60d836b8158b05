using System.Buffers;
using MessagePack;

namespace TinyRpc.Benchmarks;

/// <summary>
/// The floor of the MSGPACK-RPC server path: one MessagePackReader pass over <c>[0, msgid, method, params]</c>, a
/// direct call, one MessagePackWriter pass writing <c>[1, msgid, nil, result]</c> into a reused buffer.
/// </summary>
public sealed class HandWrittenMessagePackServer(BenchService service)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>Returns the response; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Handle(ReadOnlyMemory<byte> request)
    {
        var reader = new MessagePackReader(request);
        if (reader.ReadArrayHeader() != 4 || reader.ReadInt32() != 0)
        {
            throw new MessagePackSerializationException("Not a request.");
        }

        uint msgid = reader.ReadUInt32();
        ReadOnlySequence<byte>? method = reader.ReadStringSequence();
        int count = reader.ReadArrayHeader();
        _buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(_buffer);
        writer.WriteArrayHeader(4);
        writer.Write(1);
        writer.Write(msgid);
        writer.WriteNil();
        if (method is { IsSingleSegment: true } name && name.FirstSpan.SequenceEqual("reverse_string"u8) && count == 1)
        {
            writer.Write(service.ReverseString(reader.ReadString()!));
        }
        else if (method is { IsSingleSegment: true } other && other.FirstSpan.SequenceEqual("add"u8) && count == 2)
        {
            int a = reader.ReadInt32();
            writer.Write(service.Add(a, reader.ReadInt32()));
        }
        else
        {
            throw new MessagePackSerializationException("No such method.");
        }

        writer.Flush();
        return _buffer.WrittenMemory;
    }
}
