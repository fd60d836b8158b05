using Microsoft.CodeAnalysis;

namespace TinyRpc.Analyzers;

internal static partial class Descriptors
{
    private const string Compatibility = "TinyRpc.Compatibility";
    private const string UpdateSnapshot = ", which breaks callers that follow the contract snapshot; if that is intended, update the snapshot";

    public static readonly DiagnosticDescriptor RpcMethodRemoved = Create(
        DiagnosticIds.RpcMethodRemoved,
        "RPC method removed or renamed",
        "'{1}' no longer serves '{0}', which the contract snapshot lists; callers of '{0}' get 'method not found'. If that is intended, update the snapshot",
        Compatibility,
        DiagnosticSeverity.Warning,
        "A method's wire name changes when the method is removed or renamed, when its [Public] name, the naming policy or Async-suffix trimming changes, or when it stops being served (an error elsewhere). Peers built against the contract snapshot still call the old name.");

    public static readonly DiagnosticDescriptor RpcParametersChanged = Create(
        DiagnosticIds.RpcParametersChanged,
        "RPC parameters changed incompatibly",
        "'{0}' of '{1}' {2}" + UpdateSnapshot,
        Compatibility,
        DiagnosticSeverity.Warning,
        "Callers send arguments by position or by wire name. A new required parameter, a removed one, a changed wire name or type, a parameter that is no longer optional, or a params array added or removed makes calls that matched the contract snapshot fail or mean something else.");

    public static readonly DiagnosticDescriptor RpcResultChanged = Create(
        DiagnosticIds.RpcResultChanged,
        "RPC result type changed incompatibly",
        "'{0}' of '{1}' {2}" + UpdateSnapshot,
        Compatibility,
        DiagnosticSeverity.Warning,
        "Callers read the result as the type the contract snapshot records. Only a result where there was none, or a result that is no longer null, keeps them working.");

    public static readonly DiagnosticDescriptor RpcOneWayChanged = Create(
        DiagnosticIds.RpcOneWayChanged,
        "One-way RPC method changed to a call, or a call to one-way",
        "'{0}' of '{1}' {2}" + UpdateSnapshot,
        Compatibility,
        DiagnosticSeverity.Warning,
        "A one-way method is sent as a notification, which gets no reply; a call waits for one. Changing one into the other changes what is sent and what the caller waits for.");

    public static readonly DiagnosticDescriptor RpcContractExtended = Create(
        DiagnosticIds.RpcContractExtended,
        "Compatible change to an RPC contract",
        "{0}; compatible with the contract snapshot, which does not record it yet",
        Compatibility,
        DiagnosticSeverity.Info,
        "New services and methods, optional parameters added at the end, parameters that became optional or accept null, and results that became more precise keep every caller of the contract snapshot working. Update the snapshot to record them.");

    public static readonly DiagnosticDescriptor ContractSnapshotUnreadable = Create(
        DiagnosticIds.ContractSnapshotUnreadable,
        "Contract snapshot cannot be read",
        "The contract snapshot '{0}' cannot be read, so the contract is not checked: {1}",
        Compatibility,
        DiagnosticSeverity.Warning,
        "A project's *.rpc-contract.json must be a snapshot written by TinyRpc (build once with TinyRpcWriteContract=true to write it again), and a project has at most one.",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor RpcServiceRemoved = Create(
        DiagnosticIds.RpcServiceRemoved,
        "RPC service removed or renamed",
        "The contract snapshot lists the service '{0}', which this project no longer has; callers of its methods break. If that is intended, update the snapshot",
        Compatibility,
        DiagnosticSeverity.Warning,
        "Services are recorded by their full type name. A service class or interface that was removed, renamed, moved to another namespace, or lost [RpcService] no longer serves (or sends) the methods the snapshot lists.",
        WellKnownDiagnosticTags.CompilationEnd);
}
