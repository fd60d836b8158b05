using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using TinyRpc.Generators;

namespace TinyRpc.Analyzers.Tests;

/// <summary>Plain Roslyn compilations run through the generator and the analyzers, as a consumer's build does.</summary>
internal static class Compiler
{
    public static CSharpCompilation Create(string source, bool interceptors)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        if (interceptors)
        {
            // The SDK's compiler reads InterceptorsNamespaces; the 4.11 compiler of these tests reads the preview name.
            parseOptions = parseOptions.WithFeatures(
            [
                new KeyValuePair<string, string>("InterceptorsNamespaces", "TinyRpc.Generated"),
                new KeyValuePair<string, string>("InterceptorsPreviewNamespaces", "TinyRpc.Generated"),
            ]);
        }

        return CSharpCompilation.Create(
            "Consumer",
            [CSharpSyntaxTree.ParseText(source, parseOptions, "Consumer.cs")],
            TestReferences.Framework,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));
    }

    /// <summary>Runs the generator; returns its sources by hint name, its own diagnostics, and the compilation with them.</summary>
    public static (ImmutableDictionary<string, string> Sources, ImmutableArray<Diagnostic> GeneratorDiagnostics, Compilation Output) Generate(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new RpcGenerator().AsSourceGenerator()],
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees[0].Options);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return (result.GeneratedSources.ToImmutableDictionary(s => s.HintName, s => s.SourceText.ToString()), diagnostics, output);
    }

    /// <summary>Every analyzer diagnostic, suppressed ones included (with <see cref="Diagnostic.IsSuppressed"/> set).</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation, params DiagnosticAnalyzer[] analyzers)
    {
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true);
        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers([.. analyzers], options);
        ImmutableArray<Diagnostic> diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken);
        ImmutableArray<Diagnostic> failures = diagnostics.Where(static d => d.Id == "AD0001").ToImmutableArray();
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        return diagnostics;
    }

    /// <summary>Errors and warnings of the compilation itself (not of analyzers).</summary>
    public static Diagnostic[] Problems(Compilation compilation)
        => compilation.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(static d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .ToArray();
}
