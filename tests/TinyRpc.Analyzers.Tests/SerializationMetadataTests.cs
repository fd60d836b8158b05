using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0009: user types in RPC signatures without JSON metadata, in trimmed or AOT projects only.</summary>
public class SerializationMetadataTests
{
    private static Task VerifyAsync(string source, string? buildProperty = "EnableAotAnalyzer", params DiagnosticResult[] expected)
        => VerifyAsync(source, buildProperty, interceptors: false, expected);

    private static Task VerifyAsync(string source, string? buildProperty, bool interceptors, params DiagnosticResult[] expected)
    {
        var test = new Verifier<RpcSerializationAnalyzer, EmptyCodeFixProvider>.Test { TestCode = source };
        if (interceptors)
        {
            test.SolutionTransforms.Add((solution, projectId) =>
            {
                var options = (Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)solution.GetProject(projectId)!.ParseOptions!;
                return solution.WithProjectParseOptions(projectId, options.WithFeatures(
                [
                    new KeyValuePair<string, string>("InterceptorsNamespaces", "TinyRpc.Generated"),
                    new KeyValuePair<string, string>("InterceptorsPreviewNamespaces", "TinyRpc.Generated"),
                ]));
            });
        }

        if (buildProperty is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", $"""
                is_global = true
                build_property.{buildProperty} = true
                """));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    private const string Types = """
        public sealed class Order { public int Id { get; set; } public Customer? Customer { get; set; } }
        public sealed class Customer { public string Name { get; set; } = ""; }
        public enum Status { Open, Closed }
        """;

    [Theory]
    [InlineData("EnableAotAnalyzer")]
    [InlineData("EnableTrimAnalyzer")]
    [InlineData("PublishAot")]
    public Task Types_without_a_context_are_reported(string property) => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Orders
        {
            [Public] public {|TRPC0009:Task<Order>|} GetAsync(int id) => Task.FromResult(new Order());
            [Public] public void Save({|TRPC0009:List<Order>|} orders) { }
            [Public] public void Close({|TRPC0009:Status|} status, string note) { }
        }

        [RpcService]
        public interface IOrders
        {
            {|TRPC0009:Task<Order[]>|} ListAsync();
        }
        """ + Types, property);

    [Fact]
    public Task Parameters_the_server_supplies_need_no_metadata() => VerifyAsync("""
        using System.Threading;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Server;
        [RpcService]
        public partial class Calls
        {
            [Public] public int Who(RpcCallContext context, RpcConnection? connection, CancellationToken cancellationToken) => 0;
        }

        [RpcService]
        public interface ICalls
        {
            int Who(RpcCallContext? context = null);
        }
        """);

    [Fact]
    public Task Types_a_context_lists_or_reaches_are_fine() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Orders
        {
            [Public] public Task<Order> GetAsync(int id) => Task.FromResult(new Order());
            [Public] public void Save(List<Order> orders) { }
            [Public] public Customer Owner(int id) => new();
            [Public] public void Close(Status status) { }
            [Public] public int Count(string filter) => 0;
        }

        [JsonSerializable(typeof(List<Order>))]
        [JsonSerializable(typeof(Status))]
        internal abstract partial class AppJsonContext : JsonSerializerContext
        {
            // The System.Text.Json generator, which would complete this class, does not run in these tests.
            protected AppJsonContext() : base(null) { }
        }
        """ + Types);

    [Fact]
    public Task Message_names_the_type_the_method_and_the_context() => VerifyAsync("""
        using System.Text.Json.Serialization;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Orders
        {
            [Public] public void Close(Status status) { }
        }

        [JsonSerializable(typeof(int))]
        internal abstract partial class AppJsonContext : JsonSerializerContext
        {
            // The System.Text.Json generator, which would complete this class, does not run in these tests.
            protected AppJsonContext() : base(null) { }
        }
        """ + Types,
        "EnableAotAnalyzer",
        new DiagnosticResult(DiagnosticIds.MissingSerializationMetadata, DiagnosticSeverity.Warning)
            .WithSpan(6, 32, 6, 38)
            .WithArguments("Status", "Close", "Status", "'AppJsonContext'"));

    private const string AddMethodSource = """
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public static class Setup
        {
            public static void Configure(RpcDispatcher dispatcher)
            {
                dispatcher.AddMethod(({|#0:Order|} order) => order.Id, "save");
                dispatcher.AddMethod(Find);
                dispatcher.AddMethod((int id) => id, "echo");
            }

            private static {|#1:Customer|} Find(string name) => new();
        }
        """;

    [Fact]
    public Task Intercepted_AddMethod_delegates_are_checked() => VerifyAsync(
        AddMethodSource + Types,
        "EnableAotAnalyzer",
        interceptors: true,
        new DiagnosticResult(DiagnosticIds.MissingSerializationMetadata, DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Order", "(lambda)", "Order", "a JsonSerializerContext given to JsonRpcProtocolOptions.SerializerOptions"),
        new DiagnosticResult(DiagnosticIds.MissingSerializationMetadata, DiagnosticSeverity.Warning).WithLocation(1).WithArguments("Customer", "Find", "Customer", "a JsonSerializerContext given to JsonRpcProtocolOptions.SerializerOptions"));

    [Fact]
    public Task AddMethod_calls_that_are_not_intercepted_are_left_to_the_trimming_analysis() => VerifyAsync(
        AddMethodSource.Replace("{|#0:Order|}", "Order", StringComparison.Ordinal).Replace("{|#1:Customer|}", "Customer", StringComparison.Ordinal) + Types,
        "EnableAotAnalyzer",
        interceptors: false);

    [Fact]
    public Task Projects_that_are_not_trimmed_are_not_checked() => VerifyAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Orders
        {
            [Public] public Order Get(int id) => new();
        }
        """ + Types, buildProperty: null);

    [Fact]
    public Task Invalid_members_are_left_to_the_contract_analyzer() => VerifyAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Orders
        {
            [Public] public void Swap(ref Order order) { }
            [Public("rpc.get")] public Order Get(int id) => new();
        }
        """ + Types);
}
