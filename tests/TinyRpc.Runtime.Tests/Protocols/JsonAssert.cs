using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TinyRpc.Exceptions;

namespace TinyRpc.Tests.Protocols;

/// <summary>Compares JSON messages as parsed JSON: member order and whitespace do not matter, values do.</summary>
internal static class JsonAssert
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte> utf8) => Encoding.UTF8.GetString(utf8.Span);

    /// <summary>UTF-8 of <paramref name="text"/> where each <c>&lt;XX&gt;</c> stands for the raw byte 0xXX.</summary>
    public static byte[] WithRawBytes(string text)
    {
        var bytes = new List<byte>();
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == '<' && i + 3 < text.Length && text[i + 3] == '>'
                && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            {
                bytes.Add(b);
                i += 4;
            }
            else
            {
                int next = text.IndexOf('<', i + 1);
                int end = next < 0 ? text.Length : next;
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i..end]));
                i = end;
            }
        }

        return [.. bytes];
    }

    /// <summary>Parses a message strictly: valid UTF-8, one value, no duplicate members.</summary>
    public static JsonNode? Parse(ReadOnlyMemory<byte> utf8)
    {
        Assert.True(System.Text.Unicode.Utf8.IsValid(utf8.Span), "The message is not valid UTF-8.");
        using JsonDocument document = JsonDocument.Parse(utf8, Strict);
        return JsonNode.Parse(document.RootElement.GetRawText());
    }

    public static JsonNode? Parse(string json) => Parse(Utf8(json));

    /// <summary>Asserts that <paramref name="actual"/> is the same JSON value as <paramref name="expected"/>.</summary>
    public static void Equal(string expected, ReadOnlyMemory<byte> actual)
        => AssertSame(Parse(expected), Parse(actual), actual);

    /// <summary>
    /// Like <see cref="Equal"/>, but the <c>data</c> member of Parse error and Invalid Request errors (our
    /// own detail text, which the specification leaves to the implementation) is left out of the comparison.
    /// </summary>
    public static void EqualIgnoringDetail(string expected, ReadOnlyMemory<byte> actual)
        => AssertSame(Parse(expected), StripDetail(Parse(actual)), actual);

    /// <summary>Asserts that a batch reply is the array <paramref name="expected"/>, members in this order.</summary>
    public static void EqualBatchIgnoringDetail(string expected, ReadOnlyMemory<byte> actual)
    {
        JsonNode? reply = Parse(actual);
        Assert.IsType<JsonArray>(reply);
        AssertSame(Parse(expected), StripDetail(reply), actual);
    }

    /// <summary>The raw text of the reply's <c>id</c> member, to check that numbers are echoed digit for digit.</summary>
    public static string RawId(ReadOnlyMemory<byte> reply)
    {
        using JsonDocument document = JsonDocument.Parse(reply, Strict);
        return document.RootElement.GetProperty("id").GetRawText();
    }

    public static bool HasMember(ReadOnlyMemory<byte> message, string name)
    {
        using JsonDocument document = JsonDocument.Parse(message, Strict);
        return document.RootElement.TryGetProperty(name, out _);
    }

    private static JsonNode? StripDetail(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (JsonNode? member in array)
                {
                    StripDetail(member);
                }

                break;
            case JsonObject message when message["error"] is JsonObject error
                && error["code"] is JsonValue code && code.TryGetValue(out int value)
                && value is RpcErrorCodes.ParseError or RpcErrorCodes.InvalidRequest:
                error.Remove("data");
                break;
        }

        return node;
    }

    private static void AssertSame(JsonNode? expected, JsonNode? actual, ReadOnlyMemory<byte> actualBytes)
    {
        Assert.True(
            JsonNode.DeepEquals(expected, actual),
            $"JSON differs.{Environment.NewLine}expected: {expected?.ToJsonString() ?? "null"}{Environment.NewLine}actual:   {Text(actualBytes)}");
    }
}
