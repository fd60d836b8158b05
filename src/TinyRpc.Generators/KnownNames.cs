namespace TinyRpc.Generators;

/// <summary>Metadata names of the runtime types the generator looks for, and fixed output names.</summary>
internal static class KnownNames
{
    public const string RpcServiceAttribute = "TinyRpc.RpcServiceAttribute";
    public const string PublicAttribute = "TinyRpc.PublicAttribute";
    public const string OneWayAttribute = "TinyRpc.OneWayAttribute";
    public const string RpcNameAttribute = "TinyRpc.RpcNameAttribute";
    public const string RpcDispatcher = "TinyRpc.Dispatch.RpcDispatcher";
    public const string CancellationToken = "System.Threading.CancellationToken";
    public const string RpcConnection = "TinyRpc.Client.RpcConnection";
    public const string RpcCallContext = "TinyRpc.Server.RpcCallContext";
    public const string Task = "System.Threading.Tasks.Task";
    public const string TaskOfT = "System.Threading.Tasks.Task`1";
    public const string ValueTask = "System.Threading.Tasks.ValueTask";
    public const string ValueTaskOfT = "System.Threading.Tasks.ValueTask`1";
    public const string AsyncEnumerableOfT = "System.Collections.Generic.IAsyncEnumerable`1";
    public const string ProgressOfT = "System.IProgress`1";

    /// <summary>The namespace of generated interceptors, which consumers list in <c>InterceptorsNamespaces</c>.</summary>
    public const string InterceptorsNamespace = "TinyRpc.Generated";

    public const string InterceptorsHintName = "TinyRpc.Generated.RpcDispatcherInterceptors.g.cs";

    public const string GeneratorName = "TinyRpc.Generators";

    /// <summary>Present when the compilation references TinyRpc.MessagePack: MSGPACK-RPC formatters are generated.</summary>
    public const string MessagePackFormatterRegistry = "TinyRpc.Protocols.MsgPackRpc.MessagePackFormatterRegistry";

    public const string MessagePackFormattersHintName = "TinyRpc.Generated.MessagePackFormatters.g.cs";

    /// <summary>The MSBuild property that asks for the contract snapshot, as the compiler sees it.</summary>
    public const string WriteContractProperty = "build_property.TinyRpcWriteContract";

    /// <summary>The file holding the contract snapshot; the build targets look for it by this name.</summary>
    public const string ContractHintName = "TinyRpc.Contract.g.cs";

    /// <summary>The never-defined symbol whose <c>#if</c> block holds the snapshot in <see cref="ContractHintName"/>.</summary>
    public const string ContractSymbol = "TINYRPC_CONTRACT_SNAPSHOT";
}
