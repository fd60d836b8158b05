using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>The OpenRPC document of one <c>[RpcService]</c> class or interface, and where to put it.</summary>
/// <param name="HintName">The generated file's hint name (<c>Demo.Calc.OpenRpc.g.cs</c>).</param>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">The enclosing types, outermost first.</param>
/// <param name="Keyword">The class's declaration keyword (<c>class</c> or <c>record</c>).</param>
/// <param name="Name">The class name.</param>
/// <param name="Document">The document, as indented JSON text.</param>
/// <param name="IsContract">
/// True for an <c>[RpcService]</c> interface: the document is a public constant of its proxy class (<see cref="Name"/>);
/// false for a class: a private constant its dispatch table passes on.
/// </param>
internal sealed record OpenRpcSpec(
    string HintName,
    string? Namespace,
    ImmutableEquatableArray<ContainingTypeSpec> ContainingTypes,
    string Keyword,
    string Name,
    string Document,
    bool IsContract);
