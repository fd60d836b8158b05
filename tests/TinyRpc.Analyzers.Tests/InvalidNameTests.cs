using Verify = TinyRpc.Analyzers.Tests.Verifier<TinyRpc.Analyzers.RpcContractAnalyzer, TinyRpc.Analyzers.CodeFixes.RemoveReservedPrefixCodeFix>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0005: invalid RPC names, and the fix that removes the reserved prefix.</summary>
public class InvalidNameTests
{
    [Fact]
    public Task Invalid_names() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Service
        {
            [Public({|TRPC0005:""|})] public int Empty() => 0;
            [Public({|TRPC0005:"   "|})] public int Blank() => 0;
            [Public({|TRPC0005:" ping"|})] public int Leading() => 0;
            [Public({|TRPC0005:"pi\nng"|})] public int Control() => 0;
            [Public({|TRPC0005:"rpc.ping"|})] public int Reserved() => 0;
            [Public({|TRPC0005:name: "rpc."|})] public int OnlyPrefix() => 0;
            [Public] public int Fine() => 0;
        }
        """);

    [Fact]
    public Task Invalid_names_in_a_proxy_interface() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public interface IService
        {
            [Public({|TRPC0005:"rpc.describe"|})] string Describe();
        }
        """);

    [Fact]
    public Task Names_that_only_look_reserved_are_fine() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Service
        {
            [Public("rpc")] public int A() => 0;
            [Public("rpc_ping")] public int B() => 0;
            [Public("RPC.ping")] public int C() => 0;
            [Public("system.rpc.ping")] public int D() => 0;
            [Public("get user")] public int E() => 0;
            [Public("ünïcödé.名前")] public int F() => 0;
        }
        """);

    [Fact]
    public Task Fix_removes_the_prefix() => Verify.FixAsync(new Verify.Test
    {
        TestCode = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService]
            public partial class Service
            {
                [Public({|TRPC0005:"rpc.ping"|})] public int Ping() => 0;
                [Public( {|TRPC0005:"rpc.pong"|} )] public int Pong() => 0;
            }
            """,
        FixedCode = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService]
            public partial class Service
            {
                [Public("ping")] public int Ping() => 0;
                [Public( "pong" )] public int Pong() => 0;
            }
            """,
        NumberOfIncrementalIterations = 2,
        NumberOfFixAllIterations = 1,
        NumberOfFixAllInDocumentIterations = 1,
        NumberOfFixAllInProjectIterations = 1,
    });
}
