using System.Globalization;
using MessagePack;
using MessagePack.Formatters;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// <see cref="DateTimeOffset"/> as an ISO 8601 string with its offset (<c>"2024-02-29T23:30:05.1234567+05:30"</c>,
/// the text JSON-RPC sends), which other implementations parse with their standard library; msgpack has no
/// timestamp with an offset. Reads that string, a msgpack timestamp (offset zero), or MessagePack-CSharp's own
/// <c>[timestamp, offset minutes]</c> pair.
/// </summary>
internal sealed class DateTimeOffsetTextFormatter : IMessagePackFormatter<DateTimeOffset>
{
    public static readonly DateTimeOffsetTextFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, DateTimeOffset value, MessagePackSerializerOptions options)
        => writer.Write(value.ToString("O", CultureInfo.InvariantCulture));

    public DateTimeOffset Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                return DateTimeOffset.Parse(reader.ReadString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            case MessagePackType.Extension:
                return new DateTimeOffset(reader.ReadDateTime(), TimeSpan.Zero);
            case MessagePackType.Array when reader.ReadArrayHeader() == 2:
                DateTime clock = reader.ReadDateTime();
                short minutes = reader.ReadInt16();
                return new DateTimeOffset(clock.Ticks, TimeSpan.FromMinutes(minutes));
            default:
                throw new MessagePackSerializationException("A DateTimeOffset is an ISO 8601 string, a timestamp, or [timestamp, offset minutes].");
        }
    }
}

/// <summary>
/// <see cref="decimal"/> written as its invariant text (every digit kept, as MessagePack-CSharp writes it);
/// read from that text or from a msgpack integer or float, as JSON-RPC reads a number.
/// </summary>
internal sealed class DecimalTextFormatter : IMessagePackFormatter<decimal>
{
    public static readonly DecimalTextFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, decimal value, MessagePackSerializerOptions options)
        => writer.Write(value.ToString(CultureInfo.InvariantCulture));

    public decimal Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => reader.NextMessagePackType switch
    {
        MessagePackType.String => decimal.Parse(reader.ReadString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
        MessagePackType.Integer when reader.NextCode == MessagePackCode.UInt64 => reader.ReadUInt64(),
        MessagePackType.Integer => reader.ReadInt64(),
        MessagePackType.Float => (decimal)reader.ReadDouble(),
        _ => throw new MessagePackSerializationException("A decimal is a string, an integer or a float."),
    };
}
