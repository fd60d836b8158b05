// Linked into the test projects that compile C# sources in memory.
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using TinyRpc.Dispatch;

namespace TinyRpc.Tests.Shared;

/// <summary>References for in-memory compilations: the running framework's assemblies and TinyRpc.Runtime.</summary>
internal static class CompilationReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Load);

    /// <summary>The framework's assemblies (from the running host) plus TinyRpc.Runtime.</summary>
    public static ImmutableArray<MetadataReference> All => s_all.Value;

    private static ImmutableArray<MetadataReference> Load()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string[] trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            .Where(static path => IsManagedAssembly(path))
            .Append(typeof(RpcDispatcher).Assembly.Location)
            .Select(static path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
