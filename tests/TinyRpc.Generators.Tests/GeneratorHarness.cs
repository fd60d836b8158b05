using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TinyRpc.Protocols.MsgPackRpc;

namespace TinyRpc.Generators.Tests;

/// <summary>Compiles test sources against the running framework and TinyRpc.Runtime, and runs the generator on them.</summary>
internal static class GeneratorHarness
{
    /// <summary>The framework's assemblies (from the running host) plus TinyRpc.Runtime.</summary>
    public static ImmutableArray<MetadataReference> References => TinyRpc.Tests.Shared.CompilationReferences.All;

    /// <summary>TinyRpc.MessagePack and MessagePack-CSharp, for compilations whose MSGPACK-RPC formatters are generated.</summary>
    public static ImmutableArray<MetadataReference> MessagePackReferences { get; } =
    [
        MetadataReference.CreateFromFile(typeof(TinyRpc.Protocols.MsgPackRpc.MessagePackRpcProtocol).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::MessagePack.MessagePackSerializer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::MessagePack.MessagePackObjectAttribute).Assembly.Location),
    ];

    public static CSharpParseOptions ParseOptions(bool interceptors = true)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        return interceptors
            ? options.WithFeatures(
            [
                // The SDK's compiler reads InterceptorsNamespaces; the 4.11 compiler of these tests reads the preview name.
                new KeyValuePair<string, string>("InterceptorsNamespaces", "TinyRpc.Generated"),
                new KeyValuePair<string, string>("InterceptorsPreviewNamespaces", "TinyRpc.Generated"),
            ])
            : options;
    }

    public static CSharpCompilation CreateCompilation(string source, bool interceptors = true, string path = "Test.cs")
        => CreateCompilation([(path, source)], interceptors);

    public static CSharpCompilation CreateCompilation(IEnumerable<(string Path, string Source)> sources, bool interceptors = true)
    {
        CSharpParseOptions parseOptions = ParseOptions(interceptors);
        return CSharpCompilation.Create(
            "TestAssembly",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, parseOptions, s.Path)),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                deterministic: true));
    }

    public static GeneratorDriver CreateDriver(CSharpParseOptions parseOptions, bool trackSteps = false)
        => CSharpGeneratorDriver.Create(
            [new RpcGenerator().AsSourceGenerator()],
            parseOptions: parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns the generated sources by hint name and the compilation that includes them.</summary>
    public static (ImmutableArray<GeneratedSourceResult> Sources, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics) Run(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CreateDriver((CSharpParseOptions)compilation.SyntaxTrees.First().Options);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return (result.GeneratedSources, output, diagnostics);
    }

    /// <summary>Fails with the list of every error and warning of <paramref name="compilation"/>.</summary>
    public static void AssertClean(Compilation compilation)
    {
        Diagnostic[] problems = compilation.GetDiagnostics()
            .Where(static d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .ToArray();
        Assert.True(problems.Length == 0, "The compilation has problems:\n" + string.Join("\n", problems.Select(static d => d.ToString())));
    }
}
