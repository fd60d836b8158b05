using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TinyRpc.Analyzers.Tests;

/// <summary>
/// AddMethodSuppressor hides IL2026/IL3050 exactly at the AddMethod calls the generator intercepts. The trimming
/// analyzer is not available to tests, so a stand-in reports those IDs wherever a method with
/// [RequiresUnreferencedCode] / [RequiresDynamicCode] is called, as the real one does.
/// </summary>
public class SuppressorTests
{
    private const string Source = """
        using System;
        using System.Diagnostics.CodeAnalysis;
        using System.IO;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        public static class Setup
        {
            public static void Configure(RpcDispatcher dispatcher, Delegate handler)
            {
                dispatcher.AddMethod((int a, int b) => a + b, "add");
                dispatcher.AddMethod(Hello);
                dispatcher.AddMethod(handler, "opaque");
                dispatcher.AddMethod((Stream s) => 0, "stream");
                dispatcher.AddMethod((int a = 1) => a, "defaulted");
                Reflect();
            }

            private static string Hello(string name) => "Hello, " + name;

            [RequiresUnreferencedCode("test")]
            [RequiresDynamicCode("test")]
            private static void Reflect() { }
        }
        """;

    private static async Task<(ImmutableArray<Diagnostic> Diagnostics, ImmutableDictionary<string, string> Sources)> RunAsync(bool interceptors)
    {
        var (sources, _, output) = Compiler.Generate(Compiler.Create(Source, interceptors));
        ImmutableArray<Diagnostic> diagnostics = await Compiler.AnalyzeAsync(output, new RequiresAnalyzerStandIn(), new AddMethodSuppressor());
        return (diagnostics, sources);
    }

    private static string Line(Diagnostic d) => $"{d.Id} {d.Location.GetLineSpan().StartLinePosition.Line + 1} {(d.IsSuppressed ? "suppressed" : "reported")}";

    [Fact]
    public async Task Intercepted_calls_are_suppressed_and_the_others_are_not()
    {
        var (diagnostics, sources) = await RunAsync(interceptors: true);
        string[] lines = diagnostics.Where(static d => d.Location.SourceTree?.FilePath == "Consumer.cs").Select(Line).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
        [
            "IL2026 10 suppressed",
            "IL2026 11 suppressed",
            "IL2026 12 reported",
            "IL2026 13 reported",
            "IL2026 14 reported",
            "IL2026 15 reported",
            "IL3050 10 suppressed",
            "IL3050 11 suppressed",
            "IL3050 12 reported",
            "IL3050 13 reported",
            "IL3050 14 reported",
            "IL3050 15 reported",
        ], lines);

        // The suppressed calls are exactly the intercepted ones.
        string interceptors = sources["TinyRpc.Generated.RpcDispatcherInterceptors.g.cs"];
        Assert.Contains("// Consumer.cs(10,9)", interceptors, StringComparison.Ordinal);
        Assert.Contains("// Consumer.cs(11,9)", interceptors, StringComparison.Ordinal);
        Assert.Equal(2, interceptors.Split("[global::System.Runtime.CompilerServices.InterceptsLocation(").Length - 1);
    }

    [Fact]
    public async Task Nothing_is_suppressed_without_the_interceptors_opt_in()
    {
        var (diagnostics, sources) = await RunAsync(interceptors: false);
        Assert.False(sources.ContainsKey("TinyRpc.Generated.RpcDispatcherInterceptors.g.cs"));
        Assert.Equal(12, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.False(d.IsSuppressed));
    }

    [Fact]
    public void Suppressions_name_the_warnings_they_hide()
    {
        ImmutableArray<SuppressionDescriptor> suppressions = new AddMethodSuppressor().SupportedSuppressions;
        Assert.Equal(["IL2026", "IL3050"], suppressions.Select(static s => s.SuppressedDiagnosticId).Order(StringComparer.Ordinal));
    }

    /// <summary>Reports IL2026 / IL3050 at calls of methods marked [RequiresUnreferencedCode] / [RequiresDynamicCode].</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class RequiresAnalyzerStandIn : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Unreferenced = new("IL2026", "Unreferenced code", "Calls {0}", "Trimming", DiagnosticSeverity.Warning, true);
        private static readonly DiagnosticDescriptor Dynamic = new("IL3050", "Dynamic code", "Calls {0}", "AOT", DiagnosticSeverity.Warning, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Unreferenced, Dynamic];

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterOperationAction(static c =>
            {
                IMethodSymbol target = ((IInvocationOperation)c.Operation).TargetMethod;
                foreach (AttributeData attribute in target.GetAttributes())
                {
                    DiagnosticDescriptor? descriptor = attribute.AttributeClass?.Name switch
                    {
                        "RequiresUnreferencedCodeAttribute" => Unreferenced,
                        "RequiresDynamicCodeAttribute" => Dynamic,
                        _ => null,
                    };
                    if (descriptor is not null)
                    {
                        c.ReportDiagnostic(Diagnostic.Create(descriptor, c.Operation.Syntax.GetLocation(), target.Name));
                    }
                }
            }, OperationKind.Invocation);
        }
    }
}
