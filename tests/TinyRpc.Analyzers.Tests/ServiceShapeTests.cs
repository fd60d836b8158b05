using Verify = TinyRpc.Analyzers.Tests.AnalyzerVerifier<TinyRpc.Analyzers.RpcContractAnalyzer>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0007 (no RPC methods), TRPC0008 (one-way with a result) and TRPC0010 (no code can be generated).</summary>
public class ServiceShapeTests
{
    [Fact]
    public Task Service_without_rpc_methods() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class {|TRPC0007:Empty|}
        {
            public int NotPublic() => 0;
        }

        [RpcService]
        public interface {|TRPC0007:INothing|}
        {
            int Described() => 1;
        }
        """);

    [Fact]
    public Task Services_with_inherited_methods_are_not_empty() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public abstract class Base
        {
            [Public] public int Version() => 1;
        }

        public interface IContract
        {
            [Public] int Describe();
        }

        [RpcService]
        public partial class FromBase : Base
        {
        }

        [RpcService]
        public partial class FromInterface : IContract
        {
            public int Describe() => 2;
        }

        public interface IBase
        {
            int Version();
        }

        [RpcService]
        public interface IDerived : IBase
        {
        }
        """);

    [Fact]
    public Task One_way_methods_returning_a_value() => Verify.AnalyzeAsync("""
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public interface ILog
        {
            [OneWay] int {|TRPC0008:Count|}(string message);
            [OneWay] Task<int> {|TRPC0008:CountAsync|}(string message);
            [OneWay] ValueTask<string> {|TRPC0008:EchoAsync|}(string message);
            [OneWay] void Log(string message);
            [OneWay] Task LogAsync(string message);
            [OneWay] ValueTask LogLaterAsync(string message);
        }
        """);

    [Fact]
    public Task Service_classes_that_cannot_get_a_table() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public class {|TRPC0010:NotPartial|}
        {
            [Public] public int Ping() => 0;
        }

        [RpcService]
        public static partial class {|TRPC0010:Static|}
        {
            [Public] public static int Ping() => 0;
        }

        [RpcService]
        public partial class {|TRPC0010:Generic|}<T>
        {
            [Public] public int Ping() => 0;
        }

        [RpcService]
        public partial struct {|TRPC0010:Value|}
        {
            [Public] public int Ping() => 0;
        }

        public class Outer
        {
            [RpcService]
            public partial class {|TRPC0010:Inner|}
            {
                [Public] public int Ping() => 0;
            }
        }

        [RpcService]
        public partial class {|TRPC0010:Taken|}
        {
            public static int RpcTable => 0;
            [Public] public int Ping() => 0;
        }
        """);

    [Fact]
    public Task Proxy_interfaces_that_cannot_get_a_proxy() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public interface {|TRPC0010:IGeneric|}<T>
        {
            T Get();
        }

        [RpcService]
        public interface IWithProperty
        {
            int {|TRPC0010:Count|} { get; }
            int Get();
        }

        public class Holder
        {
            [RpcService]
            private interface {|TRPC0010:IHidden|}
            {
                int Get();
            }
        }
        """);

    [Fact]
    public Task Valid_services_and_proxies_report_nothing() => Verify.AnalyzeAsync("""
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        namespace Demo;

        public static partial class Outer
        {
            [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
            internal sealed partial class StringService : IStringService
            {
                [Public] public Task<string> ReverseStringAsync(string s) => Task.FromResult(s);
                [Public("get_user_comment")] public ValueTask<string?> GetCommentAsync(int commentId) => default;
                [Public] public static int Sum(params int[] values) => 0;
                [Public] private void Reset() { }
                public void Hidden(ref int x) { }
            }
        }

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
        public interface IStringService
        {
            Task<string> ReverseStringAsync(string s);
            [Public("get_user_comment")] ValueTask<string?> GetCommentAsync(int commentId);
            [OneWay] Task LogAsync(string message, CancellationToken cancellationToken) => Task.CompletedTask;
            string Describe() => "default implementations are left alone";
        }
        """);
}
