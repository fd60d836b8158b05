using MessagePack;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// Writes and reads <see cref="RpcStreamPage"/> as a msgpack map with the keys of StreamJsonRpc's JSON object
/// (<c>token</c>, <c>values</c>, <c>finished</c>).
/// </summary>
internal static class MessagePackStreamPages
{
    public static void Write(ref MessagePackWriter writer, RpcStreamPage page)
    {
        int count = (page.Token is null ? 0 : 1) + (page.Values is null ? 0 : 1) + (page.Finished is null ? 0 : 1);
        writer.WriteMapHeader(count);
        if (page.Token is long token)
        {
            writer.Write("token");
            writer.Write(token);
        }

        if (page.Values is { } values)
        {
            writer.Write("values");
            writer.WriteArrayHeader(values.Count);
            foreach (ReadOnlyMemory<byte> value in values)
            {
                // Encoded by the same protocol.
                writer.WriteRaw(value.Span);
            }
        }

        if (page.Finished is bool finished)
        {
            writer.Write("finished");
            writer.Write(finished);
        }
    }

    public static RpcStreamPage Read(ref MessagePackReader reader)
    {
        long? token = null;
        bool? finished = null;
        List<ReadOnlyMemory<byte>>? values = null;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (reader.ReadString())
            {
                case "token":
                    token = reader.TryReadNil() ? null : reader.ReadInt64();
                    break;
                case "values":
                    if (reader.TryReadNil())
                    {
                        break;
                    }

                    int length = reader.ReadArrayHeader();
                    values = new List<ReadOnlyMemory<byte>>(Math.Min(length, 1024));
                    for (int j = 0; j < length; j++)
                    {
                        values.Add(System.Buffers.BuffersExtensions.ToArray(reader.ReadRaw()));
                    }

                    break;
                case "finished":
                    finished = reader.TryReadNil() ? null : reader.ReadBoolean();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new RpcStreamPage { Token = token, Values = values, Finished = finished };
    }
}
