using Verify = TinyRpc.Analyzers.Tests.AnalyzerVerifier<TinyRpc.Analyzers.RpcContractAnalyzer>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>An <c>RpcCallContext</c> parameter is supplied by the server: not a wire parameter, once per method, by value.</summary>
public class CallContextTests
{
    [Fact]
    public Task A_context_parameter_is_not_a_type_to_send() => Verify.AnalyzeAsync("""
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Server;
        [RpcService]
        public partial class Service
        {
            [Public] public string Who(RpcCallContext context) => context.Method;
            [Public] public Task<int> CountAsync(int start, RpcCallContext context, CancellationToken cancellationToken) => Task.FromResult(start);
            [Public] public int Nullable(RpcCallContext? context, int a) => a;
        }
        """);

    [Fact]
    public Task A_proxy_interface_may_declare_it() => Verify.AnalyzeAsync("""
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Server;
        [RpcService]
        public interface IService
        {
            Task<string> WhoAsync(RpcCallContext? context = null);
        }
        """);

    [Fact]
    public Task Twice_or_by_reference_is_refused() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Server;
        [RpcService]
        public partial class Service
        {
            [Public] public void {|TRPC0004:Twice|}(RpcCallContext a, RpcCallContext b) { }
            [Public] public void {|TRPC0004:ByRef|}(ref RpcCallContext context) { }
            [Public] public void {|TRPC0004:Out|}(out RpcCallContext context) => context = null!;
        }
        """);

    [Fact]
    public Task Twice_on_a_proxy_interface_is_refused() => Verify.AnalyzeAsync("""
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Server;
        [RpcService]
        public interface IService
        {
            Task {|TRPC0004:Twice|}(RpcCallContext? a, RpcCallContext? b);
        }
        """);
}
