using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace TinyRpc.Analyzers;

/// <summary>Walks the types a compilation declares.</summary>
internal static class SourceTypes
{
    /// <summary>Every type declared in <paramref name="compilation"/>, nested types included.</summary>
    public static IEnumerable<INamedTypeSymbol> All(Compilation compilation)
    {
        var namespaces = new Stack<INamespaceSymbol>();
        namespaces.Push(compilation.Assembly.GlobalNamespace);
        var types = new Stack<INamedTypeSymbol>();
        while (namespaces.Count > 0)
        {
            INamespaceSymbol ns = namespaces.Pop();
            foreach (INamespaceSymbol child in ns.GetNamespaceMembers())
            {
                namespaces.Push(child);
            }

            foreach (INamedTypeSymbol type in ns.GetTypeMembers())
            {
                types.Push(type);
            }
        }

        while (types.Count > 0)
        {
            INamedTypeSymbol type = types.Pop();
            yield return type;
            foreach (INamedTypeSymbol nested in type.GetTypeMembers())
            {
                types.Push(nested);
            }
        }
    }
}
