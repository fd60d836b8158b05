// The one definition of how a C# method or parameter becomes an RPC name, and of which names are valid. Linked into
// TinyRpc.Generators (which writes the names into dispatch tables and proxies and leaves out invalid ones)
// and TinyRpc.Analyzers (which reports invalid and duplicate names), so that both agree to the character. Mirrors TinyRpc.RpcNamingPolicy, which these
// netstandard2.0 assemblies cannot reference.
using System.Text;

namespace TinyRpc.Shared;

/// <summary>The values of <c>TinyRpc.RpcNamingPolicy</c>, as the attribute stores them.</summary>
internal enum RpcNamingPolicyValue
{
    AsWritten = 0,
    CamelCase = 1,
    SnakeCase = 2,
}

/// <summary>Computes RPC names from method names and <c>[RpcService]</c> / <c>[Public]</c> settings.</summary>
internal static class RpcNames
{
    private const string AsyncSuffix = "Async";

    /// <summary>The prefix JSON-RPC 2.0 reserves for rpc-internal methods and extensions.</summary>
    public const string ReservedPrefix = "rpc.";

    /// <summary>
    /// Why <paramref name="name"/> cannot be an RPC name, or null when it can: it is empty, only white space,
    /// begins or ends with white space, contains a control character, or begins with <c>rpc.</c>.
    /// </summary>
    public static string? GetNameProblem(string name) => GetProblem(name, reservePrefix: true);

    private static string? GetProblem(string name, bool reservePrefix)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.Trim().Length == 0)
        {
            return "it is only white space";
        }

        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[name.Length - 1]))
        {
            return "it begins or ends with white space";
        }

        foreach (char c in name)
        {
            // U+2028 and U+2029 end a line in C# source as well as in text.
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return "it contains a control character or a line break";
            }
        }

        return reservePrefix && name.StartsWith(ReservedPrefix, System.StringComparison.Ordinal)
            ? "names beginning with 'rpc.' are reserved by JSON-RPC 2.0"
            : null;
    }

    /// <summary>True when <paramref name="name"/> can be an RPC name (see <see cref="GetNameProblem"/>).</summary>
    public static bool IsValidName(string name) => GetNameProblem(name) is null;

    /// <summary>
    /// The RPC name of a method: <paramref name="explicitName"/> verbatim when <c>[Public("name")]</c> gives one,
    /// otherwise <paramref name="methodName"/> with a trailing <c>Async</c> removed (when
    /// <paramref name="trimAsyncSuffix"/>) and then <paramref name="policy"/> applied.
    /// </summary>
    public static string GetRpcName(string methodName, string? explicitName, RpcNamingPolicyValue policy, bool trimAsyncSuffix)
    {
        if (explicitName is not null)
        {
            return explicitName;
        }

        string name = trimAsyncSuffix ? TrimAsyncSuffix(methodName) : methodName;
        return policy switch
        {
            RpcNamingPolicyValue.CamelCase => ToCamelCase(name),
            RpcNamingPolicyValue.SnakeCase => ToSnakeCase(name),
            _ => name,
        };
    }

    /// <summary>
    /// The wire name of a parameter, under which by-name (keyword) arguments are read: <paramref name="explicitName"/>
    /// verbatim when <c>[RpcName("name")]</c> gives one, otherwise <paramref name="parameterName"/> with
    /// <paramref name="policy"/> applied, as it applies to the method's name (<c>commentId</c> becomes
    /// <c>comment_id</c> under snake_case).
    /// </summary>
    public static string GetParameterName(string parameterName, string? explicitName, RpcNamingPolicyValue policy)
    {
        if (explicitName is not null)
        {
            return explicitName;
        }

        return policy switch
        {
            RpcNamingPolicyValue.CamelCase => ToCamelCase(parameterName),
            RpcNamingPolicyValue.SnakeCase => ToSnakeCase(parameterName),
            _ => parameterName,
        };
    }

    /// <summary>
    /// Why <paramref name="name"/> cannot be a parameter's wire name, or null when it can: the rules of
    /// <see cref="GetNameProblem"/> but for the reserved <c>rpc.</c> prefix, which concerns only method names.
    /// </summary>
    public static string? GetParameterNameProblem(string name) => GetProblem(name, reservePrefix: false);

    /// <summary><c>ReverseStringAsync</c> becomes <c>ReverseString</c>; a name that is only <c>Async</c> stays.</summary>
    public static string TrimAsyncSuffix(string name)
        => name.Length > AsyncSuffix.Length && name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal)
            ? name.Substring(0, name.Length - AsyncSuffix.Length)
            : name;

    /// <summary>
    /// <c>ReverseString</c> becomes <c>reverseString</c>; a leading run of capitals is lowered as a word
    /// (<c>HTTPGet</c> becomes <c>httpGet</c>, <c>ID</c> becomes <c>id</c>), as System.Text.Json's camelCase does.
    /// </summary>
    public static string ToCamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        char[] chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            bool hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    /// <summary>
    /// <c>ReverseString</c> becomes <c>reverse_string</c>, <c>GetHTTPResponse</c> becomes <c>get_http_response</c>,
    /// <c>UserId2</c> becomes <c>user_id2</c>: a word starts at a capital that follows a lower-case letter or digit,
    /// or at the last capital of a run followed by a lower-case letter. Existing underscores are kept.
    /// </summary>
    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_')
                {
                    char previous = name[i - 1];
                    bool nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                    if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                    {
                        builder.Append('_');
                    }
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
