using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using TinyRpc.Generators;

namespace TinyRpc.Analyzers.Tests;

/// <summary>
/// Contract snapshots as a build makes them: the generator, asked by the TinyRpcWriteContract property, emits the
/// snapshot text in a generated file, from which the build targets copy it (here: this class).
/// </summary>
internal static class ContractSnapshots
{
    public const string Path = "/project/Consumer.rpc-contract.json";

    private const string Start = "#if TINYRPC_CONTRACT_SNAPSHOT\n";
    private const string End = "#endif\n";

    /// <summary>The snapshot of <paramref name="source"/>'s contract, as TinyRpcWriteContract=true writes it.</summary>
    public static string Write(string source)
    {
        CSharpCompilation compilation = Compiler.Create(source, interceptors: false);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new RpcGenerator().AsSourceGenerator()],
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees[0].Options,
            optionsProvider: new OptionsProvider(new Dictionary<string, string> { ["build_property.TinyRpcWriteContract"] = "true" }));
        GeneratorRunResult result = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        string text = result.GeneratedSources.Single(static s => s.HintName == "TinyRpc.Contract.g.cs").SourceText.ToString();
        int start = text.IndexOf(Start, StringComparison.Ordinal) + Start.Length;
        int end = text.LastIndexOf(End, StringComparison.Ordinal);
        return text[start..end];
    }

    /// <summary>The diagnostics of the snapshot analyzer on <paramref name="source"/>, with these snapshot files.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, params (string Path, string Text)[] snapshots)
    {
        CSharpCompilation compilation = Compiler.Create(source, interceptors: false);
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([.. snapshots.Select(static s => (AdditionalText)new Text(s.Path, s.Text))]),
            onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers([new RpcContractSnapshotAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken);
        Diagnostic[] failures = diagnostics.Where(static d => d.Id == "AD0001").ToArray();
        Assert.True(failures.Length == 0, string.Join("\n", failures.Select(static f => f.ToString())));
        return diagnostics;
    }

    private sealed class Text(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class OptionsProvider(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options([]);

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
