using Verify = TinyRpc.Analyzers.Tests.AnalyzerVerifier<TinyRpc.Analyzers.RpcContractAnalyzer>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0006: parameter and result types no protocol can carry.</summary>
public class UnsupportedTypeTests
{
    [Fact]
    public Task Types_a_service_cannot_receive_or_return() => Verify.AnalyzeAsync("""
        using System;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Service
        {
            [Public] public void Callback({|TRPC0006:Action|} action) { }
            [Public] public void Upload({|TRPC0006:Stream|} stream) { }
            [Public] public void Upload2({|TRPC0006:MemoryStream|} stream) { }
            [Public] public void Slice({|TRPC0006:Span<int>|} values) { }
            [Public] public void Slices({|TRPC0006:Func<int>[]|} values) { }
            [Public] public void Later({|TRPC0006:Task<int>|} value) { }
            [Public] public void Native({|TRPC0006:IntPtr|} value) { }
            [Public] public void Gather(params {|TRPC0006:Stream[]|} values) { }
            [Public] public {|TRPC0006:Type|} Kind() => typeof(int);
            [Public] public {|TRPC0006:Task<Stream>|} OpenAsync() => Task.FromResult(Stream.Null);
            [Public] public {|TRPC0006:CancellationToken|} Token() => default;
            [Public] public {|TRPC0006:System.Collections.Generic.IAsyncEnumerable<Stream>|} Files() => throw new NotSupportedException();
            [Public] public void Watch({|TRPC0006:IProgress<Action>|} progress) { }
        }
        """);

    [Fact]
    public Task Types_a_proxy_cannot_send() => Verify.AnalyzeAsync("""
        using System;
        using System.IO;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public interface IService
        {
            Task UploadAsync({|TRPC0006:Stream|} stream);
            {|TRPC0006:ValueTask<Action>|} GetCallbackAsync();
        }
        """);

    [Fact]
    public Task Data_types_are_fine() => Verify.AnalyzeAsync("""
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public enum Color { Red, Green }
        public sealed record Point(int X, int Y);
        [RpcService]
        public partial class Service
        {
            [Public] public byte[] Bytes(byte[] data) => data;
            [Public] public List<string> Names(Dictionary<string, int> map) => new();
            [Public] public object? Anything(object? value) => value;
            [Public] public Color Paint(Color color, Point? at) => color;
            [Public] public Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken) => Task.FromResult(DateTimeOffset.Now);
            [Public] public ValueTask<int?> MaybeAsync(Guid id, decimal amount, params long[] rest) => default;
        }
        """);
}
