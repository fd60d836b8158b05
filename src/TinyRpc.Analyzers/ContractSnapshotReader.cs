using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.Text;
using TinyRpc.Generators.Contract;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;

namespace TinyRpc.Analyzers;

/// <summary>One service of a contract snapshot, with where its entry is in the file.</summary>
internal sealed record SnapshotService(string Name, TextSpan Span, IReadOnlyList<ContractMethodSpec> Methods);

/// <summary>
/// Reads a contract snapshot (the format <see cref="ContractJson"/> writes). A strict reader of that one format: JSON
/// as RFC 8259 has it (no comments, no trailing commas, no duplicate keys), with exactly the keys the format
/// defines; anything else is refused with a message that says where and what. It never throws on bad input.
/// </summary>
/// <remarks>
/// Analyzers run inside the compiler, which gives netstandard2.0 analyzers no System.Text.Json of a version they
/// can rely on; this format is small enough to read by hand.
/// </remarks>
internal static class ContractSnapshotReader
{
    private const int MaxDepth = 32;

    /// <summary>The services of <paramref name="text"/>, or null with <paramref name="error"/> saying why it cannot be read.</summary>
    public static IReadOnlyList<SnapshotService>? Read(SourceText text, out string? error, out TextSpan errorSpan)
    {
        error = null;
        errorSpan = default;
        try
        {
            string content = text.ToString();
            var parser = new JsonParser(content);
            JsonValue root = parser.ParseDocument();
            return ReadRoot(root);
        }
        catch (SnapshotFormatException e)
        {
            LinePosition position = text.Lines.GetLinePosition(Math.Min(e.Position, text.Length));
            error = string.Format(CultureInfo.InvariantCulture, "line {0}, column {1}: {2}", position.Line + 1, position.Character + 1, e.Message);
            errorSpan = new TextSpan(Math.Min(e.Position, text.Length), 0);
            return null;
        }
    }

    // ---- the format ---------------------------------------------------------------------------------------

    private static List<SnapshotService> ReadRoot(JsonValue root)
    {
        Dictionary<string, JsonValue> members = Members(root, "the document", "tinyrpcContract", "services");
        JsonValue version = Required(members, root, "the document", "tinyrpcContract");
        if (version.Kind != JsonKind.Number || version.Text != ContractJson.FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new SnapshotFormatException(version.Start,
                $"\"tinyrpcContract\" must be {ContractJson.FormatVersion}, the only format this version of TinyRpc reads");
        }

        var services = new List<SnapshotService>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        JsonValue list = Required(members, root, "the document", "services");
        foreach (JsonValue item in Items(list, "\"services\""))
        {
            Dictionary<string, JsonValue> service = Members(item, "a service", "name", "methods");
            JsonValue nameValue = Required(service, item, "a service", "name");
            string name = String(nameValue, "a service's \"name\"");
            if (!names.Add(name))
            {
                throw new SnapshotFormatException(nameValue.Start, $"the service '{name}' is listed twice");
            }

            var methods = new List<ContractMethodSpec>();
            foreach (JsonValue method in Items(Required(service, item, "a service", "methods"), $"the \"methods\" of '{name}'"))
            {
                methods.Add(ReadMethod(method, name));
            }

            services.Add(new SnapshotService(name, TextSpan.FromBounds(item.Start, item.End), methods));
        }

        return services;
    }

    private static ContractMethodSpec ReadMethod(JsonValue value, string service)
    {
        string where = $"a method of '{service}'";
        Dictionary<string, JsonValue> members = Members(value, where, "name", "oneWay", "parameters", "result");
        string name = String(Required(members, value, where, "name"), where + " \"name\"");
        where = $"the method '{name}' of '{service}'";
        bool oneWay = members.TryGetValue("oneWay", out JsonValue? flag) && Boolean(flag, where + " \"oneWay\"");
        var parameters = new List<ContractParameterSpec>();
        foreach (JsonValue p in Items(Required(members, value, where, "parameters"), $"the \"parameters\" of {where}"))
        {
            string parameterWhere = $"a parameter of {where}";
            Dictionary<string, JsonValue> parameter = Members(p, parameterWhere, "name", "type", "optional", "params");
            parameters.Add(new ContractParameterSpec(
                String(Required(parameter, p, parameterWhere, "name"), parameterWhere + " \"name\""),
                String(Required(parameter, p, parameterWhere, "type"), parameterWhere + " \"type\""),
                parameter.TryGetValue("optional", out JsonValue? optional) && Boolean(optional, parameterWhere + " \"optional\""),
                parameter.TryGetValue("params", out JsonValue? isParams) && Boolean(isParams, parameterWhere + " \"params\"")));
        }

        JsonValue result = Required(members, value, where, "result");
        return new ContractMethodSpec(name, oneWay, parameters.ToImmutableEquatableArray(),
            result.Kind == JsonKind.Null ? null : String(result, where + " \"result\""));
    }

    private static Dictionary<string, JsonValue> Members(JsonValue value, string what, params string[] allowed)
    {
        if (value.Kind != JsonKind.Object)
        {
            throw new SnapshotFormatException(value.Start, $"{what} must be an object");
        }

        var members = new Dictionary<string, JsonValue>(StringComparer.Ordinal);
        foreach ((string key, int keyStart, JsonValue member) in value.Members!)
        {
            if (Array.IndexOf(allowed, key) < 0)
            {
                throw new SnapshotFormatException(keyStart, $"{what} has an unknown key \"{key}\"; the keys are " + string.Join(", ", allowed.Select(static a => "\"" + a + "\"")));
            }

            members.Add(key, member);
        }

        return members;
    }

    private static JsonValue Required(Dictionary<string, JsonValue> members, JsonValue owner, string what, string key)
        => members.TryGetValue(key, out JsonValue? value) ? value : throw new SnapshotFormatException(owner.Start, $"{what} has no \"{key}\"");

    private static List<JsonValue> Items(JsonValue value, string what)
        => value.Kind == JsonKind.Array ? value.Items! : throw new SnapshotFormatException(value.Start, $"{what} must be an array");

    private static string String(JsonValue value, string what)
        => value.Kind == JsonKind.String ? value.Text! : throw new SnapshotFormatException(value.Start, $"{what} must be a string");

    private static bool Boolean(JsonValue value, string what)
        => value.Kind == JsonKind.True || (value.Kind == JsonKind.False ? false : throw new SnapshotFormatException(value.Start, $"{what} must be true or false"));

    // ---- JSON ---------------------------------------------------------------------------------------------

    private enum JsonKind
    {
        Object,
        Array,
        String,
        Number,
        True,
        False,
        Null,
    }

    private sealed class JsonValue(JsonKind kind, int start)
    {
        public JsonKind Kind { get; } = kind;

        public int Start { get; } = start;

        public int End { get; set; }

        public string? Text { get; set; }

        public List<(string Key, int KeyStart, JsonValue Value)>? Members { get; set; }

        public List<JsonValue>? Items { get; set; }
    }

    private sealed class SnapshotFormatException(int position, string message) : Exception(message)
    {
        public int Position { get; } = position;
    }

    private sealed class JsonParser(string text)
    {
        private int _at;

        public JsonValue ParseDocument()
        {
            // A byte order mark is not JSON, but editors write one; SourceText usually removes it already.
            if (_at < text.Length && text[_at] == '\uFEFF')
            {
                _at++;
            }

            SkipWhiteSpace();
            JsonValue value = ParseValue(0);
            SkipWhiteSpace();
            if (_at < text.Length)
            {
                throw Error("more text after the end of the document");
            }

            return value;
        }

        private JsonValue ParseValue(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error("nested too deeply");
            }

            if (_at >= text.Length)
            {
                throw Error("the document ends where a value was expected");
            }

            int start = _at;
            JsonValue value;
            switch (text[_at])
            {
                case '{':
                    value = ParseObject(depth);
                    break;
                case '[':
                    value = ParseArray(depth);
                    break;
                case '"':
                    value = new JsonValue(JsonKind.String, start) { Text = ParseString() };
                    break;
                case 't':
                    value = ParseLiteral("true", JsonKind.True);
                    break;
                case 'f':
                    value = ParseLiteral("false", JsonKind.False);
                    break;
                case 'n':
                    value = ParseLiteral("null", JsonKind.Null);
                    break;
                case '-':
                case >= '0' and <= '9':
                    value = ParseNumber();
                    break;
                default:
                    throw Error($"unexpected {Describe(text[_at])} where a value was expected");
            }

            value.End = _at;
            return value;
        }

        private JsonValue ParseObject(int depth)
        {
            var value = new JsonValue(JsonKind.Object, _at) { Members = [] };
            var keys = new HashSet<string>(StringComparer.Ordinal);
            _at++;
            SkipWhiteSpace();
            if (TryTake('}'))
            {
                return value;
            }

            while (true)
            {
                SkipWhiteSpace();
                int keyStart = _at;
                if (_at >= text.Length || text[_at] != '"')
                {
                    throw Error("expected a key in double quotes");
                }

                string key = ParseString();
                if (!keys.Add(key))
                {
                    _at = keyStart;
                    throw Error($"the key \"{key}\" appears twice in one object");
                }

                SkipWhiteSpace();
                Expect(':');
                SkipWhiteSpace();
                value.Members.Add((key, keyStart, ParseValue(depth + 1)));
                SkipWhiteSpace();
                if (TryTake('}'))
                {
                    return value;
                }

                Expect(',', "',' or '}'");
            }
        }

        private JsonValue ParseArray(int depth)
        {
            var value = new JsonValue(JsonKind.Array, _at) { Items = [] };
            _at++;
            SkipWhiteSpace();
            if (TryTake(']'))
            {
                return value;
            }

            while (true)
            {
                SkipWhiteSpace();
                value.Items.Add(ParseValue(depth + 1));
                SkipWhiteSpace();
                if (TryTake(']'))
                {
                    return value;
                }

                Expect(',', "',' or ']'");
            }
        }

        private string ParseString()
        {
            _at++; // the opening quote
            var value = new StringBuilder();
            while (true)
            {
                if (_at >= text.Length)
                {
                    throw Error("a string is not closed");
                }

                char c = text[_at];
                if (c == '"')
                {
                    _at++;
                    return value.ToString();
                }

                if (c < ' ')
                {
                    throw Error($"{Describe(c)} inside a string; write it as an escape");
                }

                if (c != '\\')
                {
                    value.Append(c);
                    _at++;
                    continue;
                }

                if (_at + 1 >= text.Length)
                {
                    throw Error("a string is not closed");
                }

                char escape = text[_at + 1];
                switch (escape)
                {
                    case '"': value.Append('"'); break;
                    case '\\': value.Append('\\'); break;
                    case '/': value.Append('/'); break;
                    case 'b': value.Append('\b'); break;
                    case 'f': value.Append('\f'); break;
                    case 'n': value.Append('\n'); break;
                    case 'r': value.Append('\r'); break;
                    case 't': value.Append('\t'); break;
                    case 'u':
                        if (_at + 6 > text.Length
                            || !int.TryParse(text.Substring(_at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
                            || text.Substring(_at + 2, 4).Any(static h => !Uri.IsHexDigit(h)))
                        {
                            throw Error("\\u must be followed by four hexadecimal digits");
                        }

                        value.Append((char)code);
                        _at += 4;
                        break;
                    default:
                        throw Error($"'\\{escape}' is not a JSON escape");
                }

                _at += 2;
            }
        }

        private JsonValue ParseNumber()
        {
            int start = _at;
            TryTake('-');
            if (TryTake('0'))
            {
                // no leading zeros
            }
            else if (!TakeDigits())
            {
                throw Error("a number needs digits");
            }

            if (TryTake('.') && !TakeDigits())
            {
                throw Error("a number needs digits after '.'");
            }

            if (_at < text.Length && text[_at] is 'e' or 'E')
            {
                _at++;
                if (!TryTake('+'))
                {
                    TryTake('-');
                }

                if (!TakeDigits())
                {
                    throw Error("a number needs digits in its exponent");
                }
            }

            return new JsonValue(JsonKind.Number, start) { Text = text.Substring(start, _at - start) };
        }

        private bool TakeDigits()
        {
            int start = _at;
            while (_at < text.Length && text[_at] is >= '0' and <= '9')
            {
                _at++;
            }

            return _at > start;
        }

        private JsonValue ParseLiteral(string literal, JsonKind kind)
        {
            if (string.CompareOrdinal(text, _at, literal, 0, literal.Length) != 0)
            {
                throw Error($"unexpected {Describe(text[_at])} where a value was expected");
            }

            var value = new JsonValue(kind, _at);
            _at += literal.Length;
            return value;
        }

        private void SkipWhiteSpace()
        {
            while (_at < text.Length && text[_at] is ' ' or '\t' or '\n' or '\r')
            {
                _at++;
            }
        }

        private bool TryTake(char c)
        {
            if (_at < text.Length && text[_at] == c)
            {
                _at++;
                return true;
            }

            return false;
        }

        private void Expect(char c, string? what = null)
        {
            if (!TryTake(c))
            {
                throw Error(_at >= text.Length
                    ? $"the document ends where {what ?? "'" + c + "'"} was expected"
                    : $"expected {what ?? "'" + c + "'"} but found {Describe(text[_at])}");
            }
        }

        private SnapshotFormatException Error(string message) => new(_at, message);

        private static string Describe(char c)
            => c < ' ' || c > '~' ? "the character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : "'" + c + "'";
    }
}
