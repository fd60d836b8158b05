using Verify = TinyRpc.Analyzers.Tests.AnalyzerVerifier<TinyRpc.Analyzers.RpcContractAnalyzer>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0011: parameter wire names that clash after the naming policy or [RpcName], or are invalid.</summary>
public class ParameterNameTests
{
    [Fact]
    public Task Names_equal_after_the_naming_policy() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
        public partial class Service
        {
            [Public] public int Find(int userId, int {|TRPC0011:user_id|}) => 0;
            [Public] public int Fine(int userId, int groupId) => 0;
        }
        """);

    [Fact]
    public Task Names_equal_through_RpcName() => Verify.AnalyzeAsync("""
        using System.Threading;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Service
        {
            [Public] public int Find(int a, [RpcName("a")] int {|TRPC0011:b|}) => 0;
            [Public] public int Swap([RpcName("b")] int a, [RpcName("a")] int b, CancellationToken cancellationToken) => 0;
        }
        """);

    [Fact]
    public Task Invalid_wire_names() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Service
        {
            [Public] public int Empty([RpcName("")] int {|TRPC0011:a|}) => 0;
            [Public] public int Blank([RpcName(" ")] int {|TRPC0011:a|}) => 0;
            [Public] public int Padded([RpcName(" a")] int {|TRPC0011:a|}) => 0;
            [Public] public int Reserved([RpcName("rpc.a")] int a) => 0;
        }
        """);

    [Fact]
    public Task An_interface_policy_applies_to_the_class_that_implements_it() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
        public interface IContract
        {
            [Public] int Count(int itemKind, int item_kind);
        }

        [RpcService]
        public partial class Service : IContract
        {
            public int Count(int itemKind, int {|TRPC0011:item_kind|}) => 0;
        }
        """);

    [Fact]
    public Task Delegates_added_with_AddMethod() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public static class Setup
        {
            public static int Twice(int a, [RpcName("a")] int {|TRPC0011:b|}) => a + b;

            public static void Register(RpcDispatcher dispatcher)
            {
                dispatcher.AddMethod((int a, [RpcName("a")] int {|TRPC0011:b|}) => a + b, "add");
                dispatcher.AddMethod((int a, [RpcName("")] int {|TRPC0011:b|} = 1) => a + b, "defaulted");
                dispatcher.AddMethod(Twice);
                dispatcher.AddMethod((int a, [RpcName("b")] int c) => a + c, "fine");
                dispatcher.AddMethod((int userId, int user_id) => userId, "no_policy_here");
            }
        }
        """);

    [Fact]
    public Task Distinct_wire_names_are_quiet() => Verify.AnalyzeAsync("""
        using System.Threading;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
        public partial class Service
        {
            [Public] public int Find(int userId, [RpcName("userId")] int otherId, int groupId = 0, params int[] extraIds) => 0;
            [Public] public int Token(int cancellationToken2, CancellationToken cancellationToken) => 0;
        }

        [RpcService(NamingPolicy = RpcNamingPolicy.CamelCase)]
        public interface IProxy
        {
            [Public] int Find(int UserId, [RpcName("user-id")] int userId2);
        }
        """);
}
