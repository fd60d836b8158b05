using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace TinyRpc.Generators.Helpers;

/// <summary>
/// A JSON object whose members keep the order they were added in, so that generated documents are the same text
/// on every build. The generator targets netstandard2.0 without System.Text.Json, hence this small model.
/// </summary>
internal sealed class JsonObject
{
    private readonly List<KeyValuePair<string, object?>> _members = new();

    public JsonObject Add(string name, object? value)
    {
        _members.Add(new KeyValuePair<string, object?>(name, value));
        return this;
    }

    /// <summary>Replaces the value of the member <paramref name="name"/>, keeping its place.</summary>
    public void Set(string name, object? value)
    {
        int index = _members.FindIndex(m => m.Key == name);
        _members[index] = new KeyValuePair<string, object?>(name, value);
    }

    public bool Has(string name) => _members.Exists(m => m.Key == name);

    public object? Get(string name) => _members.Find(m => m.Key == name).Value;

    public int Count => _members.Count;

    public IReadOnlyList<KeyValuePair<string, object?>> Members => _members;
}

/// <summary>Writes <see cref="JsonObject"/>, lists, strings, booleans, numbers and null as indented JSON.</summary>
internal static class JsonText
{
    public static string Write(object? value)
    {
        var builder = new StringBuilder();
        Write(builder, value, 0);
        return builder.ToString();
    }

    private static void Write(StringBuilder b, object? value, int depth)
    {
        switch (value)
        {
            case null:
                b.Append("null");
                break;
            case bool flag:
                b.Append(flag ? "true" : "false");
                break;
            case string s:
                WriteString(b, s);
                break;
            case int i:
                b.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case long l:
                b.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case ulong ul:
                b.Append(ul.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                b.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case decimal m:
                b.Append(m.ToString(CultureInfo.InvariantCulture));
                break;
            case JsonObject o when o.Count == 0:
                b.Append("{}");
                break;
            case JsonObject o:
                b.Append("{\n");
                for (int i = 0; i < o.Members.Count; i++)
                {
                    Indent(b, depth + 1);
                    WriteString(b, o.Members[i].Key);
                    b.Append(": ");
                    Write(b, o.Members[i].Value, depth + 1);
                    b.Append(i + 1 < o.Members.Count ? ",\n" : "\n");
                }

                Indent(b, depth);
                b.Append('}');
                break;
            case IReadOnlyList<object?> list when list.Count == 0:
                b.Append("[]");
                break;
            case IReadOnlyList<object?> list:
                b.Append("[\n");
                for (int i = 0; i < list.Count; i++)
                {
                    Indent(b, depth + 1);
                    Write(b, list[i], depth + 1);
                    b.Append(i + 1 < list.Count ? ",\n" : "\n");
                }

                Indent(b, depth);
                b.Append(']');
                break;
            default:
                WriteString(b, value.ToString() ?? "");
                break;
        }
    }

    private static void Indent(StringBuilder b, int depth) => b.Append(' ', 2 * depth);

    private static void WriteString(StringBuilder b, string s)
    {
        b.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                default:
                    // Control characters, line separators and lone surrogates are escaped so that the text stays
                    // valid JSON and can sit in a C# string literal on one line.
                    if (c < ' ' || c is '\u2028' or '\u2029' || char.IsSurrogate(c))
                    {
                        b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        b.Append(c);
                    }

                    break;
            }
        }

        b.Append('"');
    }
}
