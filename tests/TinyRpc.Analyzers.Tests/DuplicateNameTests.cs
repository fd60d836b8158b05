using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Verify = TinyRpc.Analyzers.Tests.Verifier<TinyRpc.Analyzers.RpcContractAnalyzer, TinyRpc.Analyzers.CodeFixes.RenameDuplicateCodeFix>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0001: two methods of one service with one RPC name, and the rename fix.</summary>
public class DuplicateNameTests
{
    [Fact]
    public Task Overloads() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Calc
        {
            [Public] public int {|TRPC0001:Add|}(int a, int b) => a + b;
            [Public] public double {|TRPC0001:Add|}(double a, double b) => a + b;
        }
        """);

    [Fact]
    public Task Explicit_name_colliding_with_another_method() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Calc
        {
            [Public] public int {|TRPC0001:Add|}(int a, int b) => a + b;
            [Public("Add")] public int {|TRPC0001:Plus|}(int a, int b) => a + b;
        }
        """);

    [Fact]
    public Task Naming_policy_making_names_equal() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
        public partial class Users
        {
            [Public] public string {|TRPC0001:GetUser|}(int id) => "";
            [Public("get_user")] public string {|TRPC0001:Fetch|}(int id) => "";
        }
        """);

    [Fact]
    public Task Async_suffix_trim_making_names_equal() => Verify.AnalyzeAsync("""
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService(TrimAsyncSuffix = true)]
        public partial class Pinger
        {
            [Public] public void {|TRPC0001:Ping|}() { }
            [Public] public Task {|TRPC0001:PingAsync|}() => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Name_inherited_from_an_interface() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public interface IContract
        {
            [Public] int Version();
        }

        [RpcService]
        public partial class Service : IContract
        {
            int IContract.{|TRPC0001:Version|}() => 1;
            [Public("Version")] public int {|TRPC0001:Other|}() => 2;
        }
        """);

    [Fact]
    public Task Message_names_both_methods_and_the_name() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Calc
        {
            [Public] public int Add(int a, int b) => a + b;
            [Public("Add")] public int Plus(int a, int b) => a + b;
        }
        """,
        new DiagnosticResult(DiagnosticIds.DuplicateRpcName, DiagnosticSeverity.Error).WithSpan(5, 25, 5, 28).WithArguments("Calc.Add(int, int)", "Add", "Calc.Plus(int, int)"),
        new DiagnosticResult(DiagnosticIds.DuplicateRpcName, DiagnosticSeverity.Error).WithSpan(6, 32, 6, 36).WithArguments("Calc.Plus(int, int)", "Add", "Calc.Add(int, int)"));

    [Fact]
    public Task Distinct_names_sync_and_async_proxy_pairs_and_other_services_are_fine() => Verify.AnalyzeAsync("""
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class A
        {
            [Public] public int Add(int a, int b) => a + b;
            [Public] public int add(int a, int b) => a + b;
            public int Add(long a, long b) => 0;
        }

        [RpcService]
        public partial class B
        {
            [Public] public int Add(int a, int b) => a + b;
        }

        [RpcService(TrimAsyncSuffix = true)]
        public interface ILog
        {
            void Log(string message);
            Task LogAsync(string message);
        }
        """);

    [Fact]
    public Task Fix_renames_the_second_method() => Verify.FixAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Calc
        {
            [Public] public int {|TRPC0001:Add|}(int a, int b) => a + b;
            [Public] public double {|TRPC0001:Add|}(double a, double b) => a + b;
        }
        """, """
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Calc
        {
            [Public] public int Add(int a, int b) => a + b;
            [Public("Add2")] public double Add(double a, double b) => a + b;
        }
        """);

    [Fact]
    public Task Fix_replaces_an_explicit_name() => Verify.FixAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Calc
        {
            [Public("sum")] public int {|TRPC0001:Add|}(int a, int b) => a + b;
            [Public("sum")] public int {|TRPC0001:Plus|}(int a, int b) => a + b;
            [Public] public int sum2() => 0;
        }
        """, """
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Calc
        {
            [Public("sum")] public int Add(int a, int b) => a + b;
            [Public("sum3")] public int Plus(int a, int b) => a + b;
            [Public] public int sum2() => 0;
        }
        """);

    [Fact]
    public Task Fix_adds_a_named_attribute_when_the_name_comes_from_an_interface() => Verify.FixAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public interface IContract
        {
            [Public] int Version();
        }

        [RpcService]
        public partial class Service : IContract
        {
            [Public("Version")] public int {|TRPC0001:Other|}() => 2;
            public int {|TRPC0001:Version|}() => 1;
        }
        """, """
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public interface IContract
        {
            [Public] int Version();
        }

        [RpcService]
        public partial class Service : IContract
        {
            [Public("Version")] public int Other() => 2;
            [Public("Version2")]
            public int Version() => 1;
        }
        """);

    [Fact]
    public Task Fix_all_gives_each_duplicate_its_own_name() => Verify.FixAsync(new Verify.Test
    {
        TestCode = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService]
            public partial class Calc
            {
                [Public] public int {|TRPC0001:Add|}(int a, int b) => a + b;
                [Public] public long {|TRPC0001:Add|}(long a, long b) => a + b;
                [Public] public double {|TRPC0001:Add|}(double a, double b) => a + b;
            }
            """,
        FixedCode = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService]
            public partial class Calc
            {
                [Public] public int Add(int a, int b) => a + b;
                [Public("Add2")] public long Add(long a, long b) => a + b;
                [Public("Add3")] public double Add(double a, double b) => a + b;
            }
            """,
        NumberOfIncrementalIterations = 2,
        NumberOfFixAllIterations = 1,
        NumberOfFixAllInDocumentIterations = 1,
        NumberOfFixAllInProjectIterations = 1,
    });
}
