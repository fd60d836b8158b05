using Microsoft.CodeAnalysis;

namespace TinyRpc.Analyzers.Tests;

/// <summary>
/// A broken contract compiled as a consumer compiles it, with the generator and the analyzers: every problem is
/// reported by an analyzer, the generator emits nothing for the invalid members and reports nothing itself, and
/// the generated code compiles clean.
/// </summary>
public class ConsumerTests
{
    private const string BrokenContract = """
        using System;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        namespace Shop;

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
        public partial class OrderService
        {
            [Public] public int CountOrders(int customer) => 0;
            [Public("rpc.internal")] public int Internal() => 0;
            [Public] public void Swap(ref int a) { }
            [Public] public void Upload(Stream stream) { }
            [Public] public int Ping() => 0;
            [Public] public Task<int> PingAsync() => Task.FromResult(0);
            [Public] public T Echo<T>(T value) => value;
            [Public] public void Wait(CancellationToken a, CancellationToken b) { }
            [Public] public Action Callback() => () => { };
        }

        [RpcService]
        public interface IOrderClient
        {
            Task<int> CountOrdersAsync(int customer);
            [OneWay] Task<int> NotifyAsync(string message);
        }

        [RpcService]
        public interface IGoodClient
        {
            Task<int> CountOrdersAsync(int customer);
        }

        public class Plain
        {
            [Public] public int Orphan() => 0;
        }

        [RpcService]
        public class NotPartial
        {
            [Public] public int Ping() => 0;
        }
        """;

    [Fact]
    public async Task Broken_contract_is_reported_and_the_generator_emits_only_valid_members()
    {
        Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = Compiler.Create(BrokenContract, interceptors: true);
        Assert.Empty(Compiler.Problems(compilation));

        var (sources, generatorDiagnostics, output) = Compiler.Generate(compilation);

        // The generator is silent and its output compiles without a warning.
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(Compiler.Problems(output));

        // A table (and an OpenRPC document) for the valid member only; no proxy for the interface with an invalid
        // member; no table for the class that is not partial.
        Assert.Equal(["Shop.IGoodClient.OpenRpc.g.cs", "Shop.IGoodClient.g.cs", "Shop.OrderService.OpenRpc.g.cs", "Shop.OrderService.g.cs"],
            sources.Keys.Order(StringComparer.Ordinal));
        foreach (string table in new[] { sources["Shop.OrderService.g.cs"], sources["Shop.OrderService.OpenRpc.g.cs"] })
        {
            Assert.Contains("\"count_orders\"", table, StringComparison.Ordinal);
            foreach (string absent in new[] { "rpc.internal", "Internal", "Swap", "Upload", "\"ping\"", "Ping(", "PingAsync", "Echo", "Wait", "Callback" })
            {
                Assert.DoesNotContain(absent, table, StringComparison.Ordinal);
            }
        }

        // Every problem has its diagnostic, on the user's code.
        System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics = await Compiler.AnalyzeAsync(output, new RpcContractAnalyzer());
        Assert.All(diagnostics, d => Assert.Equal("Consumer.cs", d.Location.SourceTree?.FilePath));
        string[] reported = diagnostics
            .Select(d => $"{d.Id} {output.SyntaxTrees.First().GetText().GetSubText(d.Location.SourceSpan)}")
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(
        [
            "TRPC0001 Ping",
            "TRPC0001 PingAsync",
            "TRPC0002 Public",
            "TRPC0004 Echo",
            "TRPC0004 Swap",
            "TRPC0004 Wait",
            "TRPC0005 \"rpc.internal\"",
            "TRPC0006 Action",
            "TRPC0006 Stream",
            "TRPC0008 NotifyAsync",
            "TRPC0010 NotPartial",
        ], reported);
    }

    [Fact]
    public async Task Valid_contract_has_no_diagnostics_and_a_full_table()
    {
        const string source = """
            using System.Threading.Tasks;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

            [RpcService(TrimAsyncSuffix = true)]
            public partial class Calculator
            {
                [Public] public int Add(int a, int b) => a + b;
                [Public] public Task<int> MultiplyAsync(int a, int b) => Task.FromResult(a * b);
            }

            public static class Setup
            {
                public static void Configure(RpcDispatcher dispatcher) => dispatcher.AddMethod((int x) => x * 2, "double");
            }
            """;
        var (sources, generatorDiagnostics, output) = Compiler.Generate(Compiler.Create(source, interceptors: true));
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(Compiler.Problems(output));
        Assert.Contains("\"Multiply\"", sources["Calculator.g.cs"], StringComparison.Ordinal);
        Assert.Empty(await Compiler.AnalyzeAsync(output, new RpcContractAnalyzer()));
    }
}
