namespace TinyRpc;

/// <summary>
/// How a C# method name becomes an RPC name when <see cref="PublicAttribute"/> gives none, and a parameter name the
/// wire name of a by-name argument when <see cref="RpcNameAttribute"/> gives none.
/// </summary>
public enum RpcNamingPolicy
{
    /// <summary>The method name verbatim (the default): <c>ReverseString</c>.</summary>
    AsWritten = 0,

    /// <summary>camelCase: <c>reverseString</c>.</summary>
    CamelCase,

    /// <summary>snake_case: <c>reverse_string</c>.</summary>
    SnakeCase,
}
