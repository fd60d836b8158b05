namespace TinyRpc.Dispatch;

/// <summary>Describes one parameter of an RPC method, for validation and error messages.</summary>
/// <param name="Name">
/// The parameter's wire name, matched against named arguments and given in errors: for generated tables and
/// delegates, its <see cref="RpcNameAttribute"/> or its C# name with the service's naming policy applied.
/// </param>
/// <param name="Type">The declared type.</param>
/// <param name="IsOptional">True when a default value exists, so the argument may be left out.</param>
/// <param name="IsParamArray">True for a C# <c>params</c> array that gathers the remaining positional arguments.</param>
public sealed record RpcParameter(string Name, Type Type, bool IsOptional = false, bool IsParamArray = false);
