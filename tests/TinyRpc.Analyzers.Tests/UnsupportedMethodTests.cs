using Verify = TinyRpc.Analyzers.Tests.AnalyzerVerifier<TinyRpc.Analyzers.RpcContractAnalyzer>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0004: RPC methods whose shape cannot be called remotely.</summary>
public class UnsupportedMethodTests
{
    [Fact]
    public Task Shapes_a_service_cannot_serve() => Verify.AnalyzeAsync("""
        using System.Threading;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Service
        {
            private int _field;
            [Public] public T {|TRPC0004:Echo|}<T>(T value) => value;
            [Public] public ref int {|TRPC0004:Field|}() => ref _field;
            [Public] public void {|TRPC0004:Swap|}(ref int a) { }
            [Public] public void {|TRPC0004:TryGet|}(out int a) => a = 0;
            [Public] public void {|TRPC0004:Read|}(in int a) { }
            [Public] public void {|TRPC0004:Wait|}(CancellationToken a, CancellationToken b) { }
            [Public] public void {|TRPC0004:Report|}(System.IProgress<int> a, System.IProgress<string> b) { }
            [Public] public int Ok(int a, CancellationToken cancellationToken, params int[] rest) => a;
            [Public] public int Progressed(int a, System.IProgress<int> progress, CancellationToken cancellationToken) => a;
        }
        """);

    [Fact]
    public Task Shapes_a_proxy_cannot_implement() => Verify.AnalyzeAsync("""
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public interface IService
        {
            T {|TRPC0004:Echo|}<T>(T value);
            void {|TRPC0004:Swap|}(ref int a);
            Task {|TRPC0004:Wait|}(CancellationToken a, CancellationToken b);
            Task {|TRPC0004:Report|}(System.IProgress<int> a, System.IProgress<int> b);
            Task<int> Ok(int a, CancellationToken cancellationToken);
            System.Collections.Generic.IAsyncEnumerable<int> Stream(int a, System.IProgress<int> progress, CancellationToken cancellationToken);
        }
        """);

    [Fact]
    public Task Shapes_on_an_interface_implemented_by_a_service() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public interface IContract
        {
            [Public] void {|TRPC0004:Swap|}(ref int a);
        }

        [RpcService]
        public partial class Service : IContract
        {
            public void Swap(ref int a) { }
            [Public] public int Ping() => 0;
        }
        """);

    [Fact]
    public Task Public_on_an_explicit_implementation_is_not_read() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public interface IPlain
        {
            int Get();
        }

        public interface IMarked
        {
            [Public] int Put();
        }

        [RpcService]
        public partial class Service : IPlain, IMarked
        {
            [Public] int IPlain.{|TRPC0004:Get|}() => 0;
            [Public] int IMarked.Put() => 0;
        }
        """);

    [Fact]
    public Task Unresolved_types_leave_the_report_to_the_compiler() => Verify.AnalyzeAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Service
        {
            [Public] public {|CS0246:Missing|} Get(int id) => default!;
            [Public] public void Put(List<{|CS0246:Missing|}> items) { }
            [Public] public int Ping() => 0;
        }

        [RpcService]
        public interface IService
        {
            Task<{|CS0246:Missing|}> GetAsync(int id);
        }
        """);

    [Fact]
    public Task Methods_without_Public_are_not_checked() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Service
        {
            public T Echo<T>(T value) => value;
            public void Swap(ref int a) { }
            [Public] public int Ping() => 0;
        }
        """);
}
