using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// The formatter of <see cref="object"/> when the user's resolver has none: primitives, arrays and maps, without
/// reflection, so that <c>object[]</c>, <c>List&lt;object&gt;</c> and <c>Dictionary&lt;string, object&gt;</c> work
/// under NativeAOT. Nesting is limited by the options' <see cref="MessagePackSecurity.MaximumObjectGraphDepth"/>.
/// </summary>
internal sealed class MessagePackObjectFormatter : IMessagePackFormatter<object?>
{
    public static readonly MessagePackObjectFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options)
        => WriteObject(ref writer, value, 0, options.Security.MaximumObjectGraphDepth);

    public object? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        // The reader's depth counts the containers around this value; the limit applies to the whole message.
        int limit = options.Security.MaximumObjectGraphDepth;
        return ReadObject(ref reader, Math.Min(reader.Depth, limit), limit);
    }

    // A value read as object, without reflection (MessagePack-CSharp's PrimitiveObjectFormatter makes generic
    // methods at run time for map keys under untrusted-data security, which NativeAOT cannot do): integers as
    // long (ulong beyond it), floats as double, str as string, bin as byte[], the timestamp extension as DateTime,
    // arrays as object?[], maps as Dictionary<object, object?> with per-process randomized key hashes.
    public static object? ReadObject(ref MessagePackReader reader, int depth, int maxDepth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean();
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64 && reader.CreatePeekReader().ReadUInt64() > long.MaxValue
                    ? reader.ReadUInt64()
                    : reader.ReadInt64();
            case MessagePackType.Float:
                return reader.ReadDouble();
            case MessagePackType.String:
                return reader.ReadString();
            case MessagePackType.Binary:
                return reader.ReadBytes()!.Value.ToArray();
            case MessagePackType.Extension when reader.CreatePeekReader().ReadExtensionFormatHeader().TypeCode == ReservedMessagePackExtensionTypeCode.DateTime:
                return reader.ReadDateTime();
            case MessagePackType.Array or MessagePackType.Map when depth >= maxDepth:
                throw new MessagePackSerializationException($"The value nests deeper than {maxDepth} levels.");
            case MessagePackType.Array:
            {
                object?[] items = new object?[reader.ReadArrayHeader()];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = ReadObject(ref reader, depth + 1, maxDepth);
                }

                return items;
            }

            case MessagePackType.Map:
            {
                int count = reader.ReadMapHeader();
                var map = new Dictionary<object, object?>(count, RandomizedKeyComparer.Instance);
                for (int i = 0; i < count; i++)
                {
                    object key = ReadObject(ref reader, depth + 1, maxDepth) ?? throw new MessagePackSerializationException("A map key is nil.");
                    if (!map.TryAdd(key, ReadObject(ref reader, depth + 1, maxDepth)))
                    {
                        throw new MessagePackSerializationException($"The map key {key} appears more than once.");
                    }
                }

                return map;
            }

            default:
                throw new MessagePackSerializationException($"{MessagePackValueCodec.Describe(reader.NextMessagePackType)} (code 0x{reader.NextCode:x2}) cannot be read as an object.");
        }
    }

    // A value known only as object: primitives in their shortest form (as other msgpack implementations write
    // them), arrays and maps of such values. Other types would need reflection to find their formatter.
    public static void WriteObject(ref MessagePackWriter writer, object? value, int depth, int maxDepth)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool b: writer.Write(b); break;
            case int i: writer.Write(i); break;
            case long l: writer.Write(l); break;
            case uint u: writer.Write(u); break;
            case ulong u: writer.Write(u); break;
            case short s: writer.Write(s); break;
            case ushort u: writer.Write(u); break;
            case byte b: writer.Write(b); break;
            case sbyte s: writer.Write(s); break;
            case double d: writer.Write(d); break;
            case float f: writer.Write(f); break;
            case string s:
                WellFormedText.Check(s);
                writer.Write(s);
                break;
            case byte[] bytes: writer.Write(bytes); break;
            case System.Collections.IDictionary map when depth < maxDepth:
                writer.WriteMapHeader(map.Count);
                foreach (System.Collections.DictionaryEntry entry in map)
                {
                    WriteObject(ref writer, entry.Key, depth + 1, maxDepth);
                    WriteObject(ref writer, entry.Value, depth + 1, maxDepth);
                }

                break;
            case System.Collections.ICollection list when depth < maxDepth:
                writer.WriteArrayHeader(list.Count);
                foreach (object? item in list)
                {
                    WriteObject(ref writer, item, depth + 1, maxDepth);
                }

                break;
            case System.Collections.ICollection:
                throw new MessagePackSerializationException($"The value nests deeper than {maxDepth} levels.");
            default:
                throw new MessagePackSerializationException(
                    $"A {TypeNames.Describe(value.GetType())} known only as object cannot be written without reflection: add it typed (RpcRequestBuilder.Add<T>), or use options whose resolver has an object formatter.");
        }
    }

    /// <summary>Hashes numeric keys with a per-process random seed, so that crafted keys cannot all collide.</summary>
    private sealed class RandomizedKeyComparer : IEqualityComparer<object>
    {
        public static readonly RandomizedKeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => object.Equals(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            long l => HashCode.Combine(l),
            ulong u => HashCode.Combine(u),
            double d => HashCode.Combine(d),
            _ => obj.GetHashCode(), // strings hash with a random seed already; arrays by reference
        };
    }

}
