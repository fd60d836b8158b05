using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>Everything needed to emit the typed client proxy of one <c>[RpcService]</c> interface.</summary>
/// <param name="HintName">The generated file's hint name, from the full interface name.</param>
/// <param name="Namespace">The interface's namespace, or null for the global namespace.</param>
/// <param name="InterfaceTypeName">The interface, <c>global::</c>-qualified.</param>
/// <param name="ProxyName">The proxy class's name (<c>IGreeter</c> gives <c>GreeterProxy</c>).</param>
/// <param name="IsPublic">True when the interface is public (and so is the proxy); otherwise the proxy is internal.</param>
/// <param name="Methods">Every abstract method of the interface and its bases, in a stable order.</param>
internal sealed record ProxySpec(
    string HintName,
    string? Namespace,
    string InterfaceTypeName,
    string ProxyName,
    bool IsPublic,
    ImmutableEquatableArray<ProxyMethodSpec> Methods);
