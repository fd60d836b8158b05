using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>
/// Everything needed to emit the dispatch table of one <c>[RpcService]</c> class. Like every spec, it holds
/// only strings, bools, enums and equatable arrays, so equal inputs give equal specs and cached output is reused.
/// </summary>
/// <param name="HintName">The generated file's hint name, from the full type name.</param>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">The enclosing types, outermost first.</param>
/// <param name="Keyword">The class's declaration keyword (<c>class</c> or <c>record</c>).</param>
/// <param name="Name">The class name.</param>
/// <param name="FullTypeName">The class, <c>global::</c>-qualified.</param>
/// <param name="Registration">Where the module initializer that registers the table goes.</param>
/// <param name="Methods">The public methods, ordered by RPC name.</param>
internal sealed record ServiceSpec(
    string HintName,
    string? Namespace,
    ImmutableEquatableArray<ContainingTypeSpec> ContainingTypes,
    string Keyword,
    string Name,
    string FullTypeName,
    RegistrationSite Registration,
    ImmutableEquatableArray<MethodSpec> Methods);
