namespace TinyRpc.Analyzers;

/// <summary>The stable IDs of the TinyRpc diagnostics. An ID is never reused for another rule.</summary>
public static partial class DiagnosticIds
{
    /// <summary>Two methods of one service have the same RPC name.</summary>
    public const string DuplicateRpcName = "TRPC0001";

    /// <summary><c>[Public]</c> on a method of a type without <c>[RpcService]</c>.</summary>
    public const string PublicOutsideService = "TRPC0002";

    /// <summary><c>[Public]</c> on a method the generated code cannot reach.</summary>
    public const string InaccessibleMethod = "TRPC0003";

    /// <summary>An RPC method whose shape cannot be called remotely.</summary>
    public const string UnsupportedMethod = "TRPC0004";

    /// <summary>An RPC name that is empty, white space, has control characters or begins with <c>rpc.</c>.</summary>
    public const string InvalidRpcName = "TRPC0005";

    /// <summary>A parameter or return type no protocol can carry.</summary>
    public const string UnsupportedType = "TRPC0006";

    /// <summary>An <c>[RpcService]</c> with no RPC methods.</summary>
    public const string EmptyService = "TRPC0007";

    /// <summary>A one-way proxy method that returns a value.</summary>
    public const string OneWayWithResult = "TRPC0008";

    /// <summary>A user type used in an RPC signature that no JsonSerializerContext lists, in a trimmed or AOT project.</summary>
    public const string MissingSerializationMetadata = "TRPC0009";

    /// <summary>An <c>[RpcService]</c> type for which no table or proxy can be generated.</summary>
    public const string InvalidServiceType = "TRPC0010";

    /// <summary>A parameter whose wire name (after the naming policy or <c>[RpcName]</c>) is invalid or another parameter's.</summary>
    public const string InvalidParameterName = "TRPC0011";

    /// <summary>A user type used in an RPC signature that gets no generated MSGPACK-RPC formatter, in a trimmed or AOT project.</summary>
    public const string MissingMessagePackFormatter = "TRPC0012";
}
