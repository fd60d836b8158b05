using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace TinyRpc.Analyzers.Tests;

/// <summary>Runs an analyzer (and optionally a fix) on sources compiled against the running framework and TinyRpc.Runtime.</summary>
internal static class Verifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public static DiagnosticResult Diagnostic(string id) => new(id, DiagnosticSeverity.Error);

    /// <summary>Expects exactly the diagnostics marked in <paramref name="source"/> (<c>{|TRPC0001:span|}</c>) and <paramref name="expected"/>.</summary>
    public static Task AnalyzeAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Applies the fix to the marked diagnostic, then (with <paramref name="fixAll"/>) to all of them at once.</summary>
    public static Task FixAsync(string source, string fixedSource, int iterations = 1)
    {
        var test = new Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            NumberOfIncrementalIterations = iterations,
            NumberOfFixAllIterations = 1,
            NumberOfFixAllInDocumentIterations = 1,
            NumberOfFixAllInProjectIterations = 1,
        };
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    public static Task FixAsync(Test test) => test.RunAsync(TestContext.Current.CancellationToken);

    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(TestReferences.Framework);
            SolutionTransforms.Add((solution, projectId) =>
            {
                Project project = solution.GetProject(projectId)!;
                var options = (CSharpCompilationOptions)project.CompilationOptions!;
                return solution
                    .WithProjectCompilationOptions(projectId, options.WithNullableContextOptions(NullableContextOptions.Enable))
                    .WithProjectParseOptions(projectId, ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest));
            });
        }
    }
}

/// <summary>An analyzer without fixes.</summary>
internal static class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static Task AnalyzeAsync(string source, params DiagnosticResult[] expected)
        => Verifier<TAnalyzer, EmptyCodeFixProvider>.AnalyzeAsync(source, expected);
}

/// <summary>References for test compilations: the running framework's assemblies and TinyRpc.Runtime.</summary>
internal static class TestReferences
{
    /// <summary>No reference package to download: the references are <see cref="Framework"/>.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    public static ImmutableArray<MetadataReference> Framework => TinyRpc.Tests.Shared.CompilationReferences.All;
}
