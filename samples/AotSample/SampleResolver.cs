using MessagePack;
using MessagePack.Formatters;

namespace AotSample;

/// <summary>Writes a <see cref="Point"/> as the msgpack array <c>[x, y]</c>.</summary>
internal sealed class PointFormatter : IMessagePackFormatter<Point>
{
    public void Serialize(ref MessagePackWriter writer, Point value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(2);
        writer.Write(value.X);
        writer.Write(value.Y);
    }

    public Point Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("A point is an array of two numbers.");
        }

        return new Point(reader.ReadDouble(), reader.ReadDouble());
    }
}

/// <summary>
/// The MessagePack counterpart of a JsonSerializerContext: formatters for the sample's own types, found without
/// reflection. Primitives need none; the protocol handles them itself.
/// </summary>
internal sealed class SampleResolver : IFormatterResolver
{
    private static readonly PointFormatter PointFormatter = new();
    private static readonly ArrayFormatter<Point> PointArrayFormatter = new();

    public static SampleResolver Instance { get; } = new();

    public static MessagePackSerializerOptions Options { get; } = new(Instance);

    public IMessagePackFormatter<T>? GetFormatter<T>()
        => typeof(T) == typeof(Point) ? (IMessagePackFormatter<T>)(object)PointFormatter
            : typeof(T) == typeof(Point[]) ? (IMessagePackFormatter<T>)(object)PointArrayFormatter
            : null;
}
