namespace TinyRpc.Analyzers;

public static partial class DiagnosticIds
{
    /// <summary>A method the contract snapshot lists is no longer served (removed, or renamed on the wire).</summary>
    public const string RpcMethodRemoved = "TRPC0020";

    /// <summary>A method's parameters changed in a way that breaks callers that follow the contract snapshot.</summary>
    public const string RpcParametersChanged = "TRPC0021";

    /// <summary>A method's result type changed in a way that breaks callers that follow the contract snapshot.</summary>
    public const string RpcResultChanged = "TRPC0022";

    /// <summary>A one-way method became a call, or a call became one-way.</summary>
    public const string RpcOneWayChanged = "TRPC0023";

    /// <summary>A compatible change the contract snapshot does not record yet (a new method or optional parameter).</summary>
    public const string RpcContractExtended = "TRPC0024";

    /// <summary>The contract snapshot cannot be read.</summary>
    public const string ContractSnapshotUnreadable = "TRPC0025";

    /// <summary>A service the contract snapshot lists is no longer in the project.</summary>
    public const string RpcServiceRemoved = "TRPC0026";
}
