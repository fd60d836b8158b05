namespace TinyRpc.Generators.Model;

/// <summary>A type that contains the generated one, re-opened as <c>partial</c> in the generated file.</summary>
/// <param name="Keyword">The declaration keyword: <c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Name">The type's name.</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);
