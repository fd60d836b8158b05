using System.Text.Json;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>Writes and reads <see cref="RpcStreamPage"/> as the JSON object StreamJsonRpc uses.</summary>
internal static class JsonStreamPages
{
    public static void Write(Utf8JsonWriter writer, RpcStreamPage page)
    {
        writer.WriteStartObject();
        if (page.Token is long token)
        {
            writer.WriteNumber("token"u8, token);
        }

        if (page.Values is { } values)
        {
            writer.WriteStartArray("values"u8);
            foreach (ReadOnlyMemory<byte> value in values)
            {
                // Encoded by the same protocol, and checked as it was written.
                writer.WriteRawValue(value.Span, skipInputValidation: true);
            }

            writer.WriteEndArray();
        }

        if (page.Finished is bool finished)
        {
            writer.WriteBoolean("finished"u8, finished);
        }

        writer.WriteEndObject();
    }

    // The reader stands on the first token of json; unknown members are skipped.
    public static RpcStreamPage Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected an object with \"token\" and \"values\", got {JsonValueCodec.Describe(reader.TokenType)}.");
        }

        long? token = null;
        bool? finished = null;
        List<ReadOnlyMemory<byte>>? values = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("token"u8))
            {
                reader.Read();
                token = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.Number when reader.TryGetInt64(out long number) => number,
                    _ => throw new JsonException($"Expected an integer token, got {JsonValueCodec.Describe(reader.TokenType)}: TinyRpc reads integer tokens only."),
                };
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new JsonException($"Expected an array of values, got {JsonValueCodec.Describe(reader.TokenType)}.");
                }

                values = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    values.Add(json[start..(int)reader.BytesConsumed].ToArray());
                }
            }
            else if (reader.ValueTextEquals("finished"u8))
            {
                reader.Read();
                finished = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.Null => null,
                    _ => throw new JsonException($"Expected a boolean \"finished\", got {JsonValueCodec.Describe(reader.TokenType)}."),
                };
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new RpcStreamPage { Token = token, Values = values, Finished = finished };
    }
}
