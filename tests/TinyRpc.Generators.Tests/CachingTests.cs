using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TinyRpc.Generators.Tests;

/// <summary>
/// The incremental pipeline reuses its work: equal input gives cached steps, edits that do not change a spec
/// give Unchanged, edits that do give Modified; and no step output holds a symbol, syntax node, location or compilation.
/// </summary>
public class CachingTests
{
    private const string ServiceSource = """
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        namespace Demo;
        [RpcService]
        public partial class Calculator
        {
            [Public("add")]
            public int Add(int a, int b) => a + b;
        }

        [RpcService]
        public interface IGreeter
        {
            Task<string> HelloAsync(string name);
        }
        """;

    private const string SetupSource = """
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        static class Setup
        {
            static void Configure(RpcDispatcher d) => d.AddMethod((int x) => x * 2, "double");
        }
        """;

    private const string OtherSource = """
        namespace Demo;
        public static class Other
        {
            public static int Value => 1;
        }
        """;

    private static readonly string[] s_steps =
    [
        TrackingNames.ServiceParsed, TrackingNames.ServiceSpec, TrackingNames.ProxyParsed, TrackingNames.ProxySpec,
        TrackingNames.InterceptorParsed, TrackingNames.InterceptorSpec, TrackingNames.InterceptorsEnabled, TrackingNames.Interceptors,
    ];

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([("Service.cs", ServiceSource), ("Setup.cs", SetupSource), ("Other.cs", OtherSource)]);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(GeneratorHarness.ParseOptions(), trackSteps: true).RunGenerators(compilation);
        return (driver, compilation);
    }

    private static CSharpCompilation Edit(CSharpCompilation compilation, string path, string newSource)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(newSource, (CSharpParseOptions)old.Options, path));
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step)
        => result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void Rerun_on_a_cloned_compilation_is_entirely_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        GeneratorRunResult second = driver.RunGenerators(compilation.Clone(), TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        foreach (string step in s_steps)
        {
            Assert.True(second.TrackedSteps.ContainsKey(step), $"step {step} did not run");
            object[] before = first.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value).ToArray();
            object[] after = second.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value).ToArray();
            Assert.Equal(before.Length, after.Length);
            for (int i = 0; i < before.Length; i++)
            {
                if (before[i] is not ValueTuple<System.Collections.Immutable.ImmutableArray<Model.InterceptorSpec>, bool>)
                {
                    Assert.Equal(before[i], after[i]);
                }
            }

            Assert.All(Reasons(second, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    [Fact]
    public void Editing_an_unrelated_file_keeps_specs_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        CSharpCompilation edited = Edit(compilation, "Other.cs", OtherSource.Replace("Value => 1", "Value => 2", StringComparison.Ordinal));
        GeneratorRunResult result = driver.RunGenerators(edited, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        // Transforms see a new semantic model and run again, but give equal specs, so nothing downstream runs.
        foreach (string step in (string[])[TrackingNames.ServiceParsed, TrackingNames.ProxyParsed, TrackingNames.InterceptorParsed])
        {
            Assert.All(Reasons(result, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }

        Assert.Equal([IncrementalStepRunReason.Cached], Reasons(result, TrackingNames.ServiceSpec));
        Assert.Equal([IncrementalStepRunReason.Cached], Reasons(result, TrackingNames.ProxySpec));
        Assert.Equal([IncrementalStepRunReason.Cached], Reasons(result, TrackingNames.InterceptorSpec));

        Assert.All(Reasons(result, TrackingNames.InterceptorSpec), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(result, TrackingNames.Interceptors), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Editing_a_method_body_leaves_the_spec_unchanged()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        CSharpCompilation edited = Edit(compilation, "Service.cs", ServiceSource.Replace("=> a + b;", "=> b + a;", StringComparison.Ordinal));
        GeneratorRunResult result = driver.RunGenerators(edited, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        // The class is parsed again, gives an equal spec, and nothing downstream runs.
        Assert.Equal([IncrementalStepRunReason.Unchanged], Reasons(result, TrackingNames.ServiceParsed));
        Assert.Equal([IncrementalStepRunReason.Cached], Reasons(result, TrackingNames.ServiceSpec));

        // The interface in the same file may not even be re-parsed; either way its proxy is not regenerated.
        Assert.All(Reasons(result, TrackingNames.ProxySpec), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Editing_a_public_name_modifies_the_spec()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        CSharpCompilation edited = Edit(compilation, "Service.cs", ServiceSource.Replace("[Public(\"add\")]", "[Public(\"plus\")]", StringComparison.Ordinal));
        GeneratorRunResult result = driver.RunGenerators(edited, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(result, TrackingNames.ServiceParsed));
        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(result, TrackingNames.ServiceSpec));
        var spec = (Model.ServiceSpec)result.TrackedSteps[TrackingNames.ServiceSpec].Single().Outputs.Single().Value;
        Assert.Equal("plus", Assert.Single(spec.Methods).RpcName);
        Assert.Contains("\"plus\"", result.GeneratedSources.Single(s => s.HintName == "Demo.Calculator.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MessagePack_formatter_steps_are_cached_and_follow_contract_types()
    {
        const string contract = """
            using System.Collections.Generic;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            namespace Demo;
            [RpcService]
            public partial class Store
            {
                [Public] public List<int> Items(Dictionary<string, string> filter) => new();
            }
            """;
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([("Store.cs", contract), ("Other.cs", OtherSource)])
            .AddReferences(GeneratorHarness.MessagePackReferences);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(GeneratorHarness.ParseOptions(), trackSteps: true).RunGenerators(compilation, TestContext.Current.CancellationToken);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        var spec = (Model.MessagePackContractSpec)first.TrackedSteps[TrackingNames.MessagePackContract].Single().Outputs.Single().Value;
        Assert.Equal(["global::System.Collections.Generic.Dictionary<string, string>", "global::System.Collections.Generic.List<int>"], spec.Types.Select(t => t.TypeName));
        foreach (string step in (string[])[TrackingNames.MessagePackContract, TrackingNames.MessagePackReferenced, TrackingNames.MessagePackTypes])
        {
            foreach ((object value, _) in first.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                AssertNoCompilerObjects(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }

        CSharpCompilation unrelated = Edit(compilation, "Other.cs", OtherSource.Replace("Value => 1", "Value => 2", StringComparison.Ordinal));
        GeneratorRunResult second = driver.RunGenerators(unrelated, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        Assert.Equal([IncrementalStepRunReason.Cached], Reasons(second, TrackingNames.MessagePackContract));
        Assert.All(Reasons(second, TrackingNames.MessagePackTypes), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));

        CSharpCompilation retyped = Edit(compilation, "Store.cs", contract.Replace("List<int>", "List<long>", StringComparison.Ordinal));
        GeneratorRunResult third = driver.RunGenerators(retyped, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(third, TrackingNames.MessagePackContract));
        Assert.Contains("ListFormatter<long>", third.GeneratedSources.Single(s => s.HintName == KnownNames.MessagePackFormattersHintName).SourceText.ToString(), StringComparison.Ordinal);

        // Without TinyRpc.MessagePack the generated code must not name MessagePack-CSharp: nothing is emitted.
        GeneratorRunResult without = GeneratorHarness.CreateDriver(GeneratorHarness.ParseOptions())
            .RunGenerators(GeneratorHarness.CreateCompilation(contract), TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        Assert.DoesNotContain(without.GeneratedSources, s => s.HintName == KnownNames.MessagePackFormattersHintName);
    }

    [Fact]
    public void Contract_snapshot_steps_are_cached_and_follow_wire_changes()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([("Service.cs", ServiceSource), ("Other.cs", OtherSource)]);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new RpcGenerator().AsSourceGenerator()],
            parseOptions: GeneratorHarness.ParseOptions(),
            optionsProvider: new WriteContractOptions(),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Equal(["Demo.Calculator", "Demo.IGreeter"], first.TrackedSteps[TrackingNames.ContractService]
            .SelectMany(s => s.Outputs).Select(o => ((Model.ContractServiceSpec)o.Value).Name).Order(StringComparer.Ordinal));
        foreach (string step in (string[])[TrackingNames.ContractService, TrackingNames.ContractRequested, TrackingNames.Contract])
        {
            foreach ((object value, _) in first.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                AssertNoCompilerObjects(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }

        // A body edit reaches no wire name: the contract is not written again.
        CSharpCompilation body = Edit(compilation, "Service.cs", ServiceSource.Replace("=> a + b;", "=> b + a;", StringComparison.Ordinal));
        GeneratorRunResult second = driver.RunGenerators(body, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        Assert.All(Reasons(second, TrackingNames.ContractService), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(second, TrackingNames.Contract), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));

        CSharpCompilation renamed = Edit(compilation, "Service.cs", ServiceSource.Replace("[Public(\"add\")]", "[Public(\"plus\")]", StringComparison.Ordinal));
        GeneratorRunResult third = driver.RunGenerators(renamed, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(third, TrackingNames.ContractService));
        Assert.Contains("{\"name\": \"plus\", \"parameters\": [{\"name\": \"a\", \"type\": \"int\"}, {\"name\": \"b\", \"type\": \"int\"}], \"result\": \"int\"}",
            third.GeneratedSources.Single(s => s.HintName == KnownNames.ContractHintName).SourceText.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The build properties of a project built with <c>-p:TinyRpcWriteContract=true</c>.</summary>
    private sealed class WriteContractOptions : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
    {
        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions { get; } = new Options(true);

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(false);

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(false);

        private sealed class Options(bool write) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
            {
                value = write && key == "build_property.TinyRpcWriteContract" ? "true" : null;
                return value is not null;
            }
        }
    }

    [Fact]
    public void MessagePack_formatters_cover_intercepted_AddMethod_delegates()
    {
        const string setup = """
            using System;
            using System.Collections.Generic;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            public sealed record Tag(string Name);
            static class Setup
            {
                static void Configure(RpcDispatcher d) => d.AddMethod((List<Guid> ids, Tag[] tags) => new Dictionary<string, Tag>(), "count");
            }
            """;
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(setup).AddReferences(GeneratorHarness.MessagePackReferences);
        (System.Collections.Immutable.ImmutableArray<GeneratedSourceResult> sources, Compilation output, _) = GeneratorHarness.Run(compilation);
        string formatters = sources.Single(s => s.HintName == KnownNames.MessagePackFormattersHintName).SourceText.ToString();
        Assert.Contains("new global::MessagePack.Formatters.ListFormatter<global::System.Guid>()", formatters, StringComparison.Ordinal);
        Assert.Contains("new global::MessagePack.Formatters.ArrayFormatter<global::Tag>()", formatters, StringComparison.Ordinal);
        Assert.Contains("new global::MessagePack.Formatters.DictionaryFormatter<string, global::Tag>()", formatters, StringComparison.Ordinal);
        Assert.Contains("file sealed class __TinyRpc_Formatter_Tag ", formatters, StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Step_outputs_hold_no_symbols_syntax_locations_or_compilations()
    {
        (GeneratorDriver driver, _) = FirstRun();
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        foreach (string step in s_steps)
        {
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object value, _) in run.Outputs)
                {
                    AssertNoCompilerObjects(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    private static void AssertNoCompilerObjects(object? value, string path, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        Assert.False(
            value is ISymbol or SyntaxNode or SyntaxTree or Location or Compilation or SemanticModel,
            $"{path} holds a {value.GetType().FullName}, which keeps a compilation alive and defeats caching.");

        if (!value.GetType().IsValueType && !visited.Add(value))
        {
            return;
        }

        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertNoCompilerObjects(item, $"{path}[{i++}]", visited);
            }

            return;
        }

        for (Type? type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertNoCompilerObjects(field.GetValue(value), $"{path}.{field.Name}", visited);
            }
        }
    }
}
