using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>One method of an <c>[RpcService]</c> interface, implemented explicitly by the proxy.</summary>
/// <param name="InterfaceTypeName">The interface that declares it, <c>global::</c>-qualified.</param>
/// <param name="ClrName">The method name (without <c>@</c>).</param>
/// <param name="RpcName">The public name, before the proxy's prefix.</param>
/// <param name="OneWay">True for <c>[OneWay]</c>: always sent as a notification.</param>
/// <param name="ReturnKind">What the method returns.</param>
/// <param name="ReturnTypeName">The declared return type (<c>void</c> included).</param>
/// <param name="ResultTypeName">The result type, when there is one.</param>
/// <param name="Parameters">The parameters in declaration order.</param>
internal sealed record ProxyMethodSpec(
    string InterfaceTypeName,
    string ClrName,
    string RpcName,
    bool OneWay,
    ReturnKind ReturnKind,
    string ReturnTypeName,
    string? ResultTypeName,
    ImmutableEquatableArray<ProxyParameterSpec> Parameters);
