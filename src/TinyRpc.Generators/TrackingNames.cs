namespace TinyRpc.Generators;

/// <summary>Names of the pipeline steps, shared by the generator and its caching tests.</summary>
internal static class TrackingNames
{
    // The transform steps (re-run when their syntax changes: Unchanged when the spec is equal) ...
    public const string ServiceParsed = nameof(ServiceParsed);
    public const string ProxyParsed = nameof(ProxyParsed);
    public const string InterceptorParsed = nameof(InterceptorParsed);

    // ... and the specs they produce (Cached downstream of an Unchanged transform).
    public const string ServiceSpec = nameof(ServiceSpec);
    public const string ProxySpec = nameof(ProxySpec);
    public const string InterceptorSpec = nameof(InterceptorSpec);
    public const string InterceptorsEnabled = nameof(InterceptorsEnabled);
    public const string Interceptors = nameof(Interceptors);

    // MSGPACK-RPC formatters: the types of each contract, whether MessagePack is referenced, and all of them together.
    public const string MessagePackContract = nameof(MessagePackContract);
    public const string MessagePackDelegate = nameof(MessagePackDelegate);
    public const string MessagePackReferenced = nameof(MessagePackReferenced);
    public const string MessagePackTypes = nameof(MessagePackTypes);

    // Contract snapshots: whether one is asked for, the contract of each service, and all of them together.
    public const string ContractRequested = nameof(ContractRequested);
    public const string ContractService = nameof(ContractService);
    public const string Contract = nameof(Contract);

    // OpenRPC documents of service classes.
    public const string OpenRpcSpec = nameof(OpenRpcSpec);
    public const string ContractOpenRpcSpec = nameof(ContractOpenRpcSpec);
}
