using Microsoft.CodeAnalysis;

namespace TinyRpc.Generators.Tests;

/// <summary>The generated source of representative inputs, compared with reviewed snapshots; each output must compile clean.</summary>
public class SnapshotTests
{
    private static void Verify(string test, string source, bool messagePack = false)
    {
        Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        if (messagePack)
        {
            // MessagePack 2.5 was built against older framework assemblies; the SDK's default NoWarn hides CS1701 too.
            compilation = compilation.AddReferences(GeneratorHarness.MessagePackReferences)
                .WithOptions(compilation.Options.WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));
        }

        (System.Collections.Immutable.ImmutableArray<GeneratedSourceResult> sources, Compilation output, System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics) =
            GeneratorHarness.Run(compilation);
        Assert.Empty(diagnostics);
        GeneratorHarness.AssertClean(output);
        Snapshot.MatchAll(sources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()), test);
    }

    [Fact]
    public void Service_with_every_method_shape() => Verify(nameof(Service_with_every_method_shape), """
        using System.Collections.Generic;
        using System.Runtime.InteropServices;
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        namespace Demo.Calc;

        public enum Rounding { Down = -1, Nearest = 0, Up = 1 }

        [RpcService]
        public partial class CalculatorService
        {
            [Public("subtract")]
            public int Subtract(int minuend, int subtrahend) => minuend - subtrahend;

            [Public]
            public static int Sum(params int[] values) => 0;

            [Public]
            public string Join(string separator, params string?[] parts) => string.Join(separator, parts);

            [Public]
            public void Reset() { }

            [Public]
            public Task ResetAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            [Public]
            public Task<double> DivideAsync(double a, double b = 1.5, CancellationToken cancellationToken = default) => Task.FromResult(a / b);

            [Public]
            public ValueTask PingAsync() => default;

            [Public]
            public ValueTask<string?> FindAsync(string? key, long limit = 10L, Rounding rounding = Rounding.Down) => new((string?)null);

            [Public]
            public string Greet(string name, string greeting = "Hello, \"you\"", char mark = '!', decimal tip = 0.5m, float weight = 2.5f, int? count = null, List<int>? extra = null)
                => greeting + name + mark;

            [Public]
            public static Dictionary<string, int> Stats([Optional] IReadOnlyList<string> names) => new();

            // Not [Public]: not in the table.
            public int Hidden() => 0;
        }
        """);

    [Fact]
    public void Streams_and_progress() => Verify(nameof(Streams_and_progress), """
        using System;
        using System.Collections.Generic;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch;

        namespace Demo.Feed;

        public sealed record Item(int Id, string Name);

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
        public interface IFeed
        {
            [Public]
            IAsyncEnumerable<Item> ItemsAsync(string filter, CancellationToken cancellationToken = default);

            [Public]
            Task<int> ImportAsync(string source, IProgress<double> progress, CancellationToken cancellationToken = default);

            [Public]
            Task ClearAsync(IProgress<int>? progress);
        }

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
        public partial class Feed : IFeed
        {
            public async IAsyncEnumerable<Item> ItemsAsync(string filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                await Task.Yield();
                yield return new Item(1, filter);
            }

            public Task<int> ImportAsync(string source, IProgress<double> progress, CancellationToken cancellationToken = default)
            {
                progress.Report(1.0);
                return Task.FromResult(1);
            }

            public Task ClearAsync(IProgress<int>? progress) => Task.CompletedTask;
        }
        """, messagePack: true);

    [Fact]
    public void MessagePack_formatters_for_contract_types() => Verify(nameof(MessagePack_formatters_for_contract_types), """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        namespace Demo.Shapes;

        public enum Shade { Red, Green }

        public sealed record User(string Name, [property: System.Text.Json.Serialization.JsonPropertyName("e-mail")] string? Email, List<Order> Orders);

        public class Order
        {
            public int Id { get; set; }
            public Shade? Shade { get; init; }
            public string Note { get; set; } = "none";
            [System.Text.Json.Serialization.JsonIgnore] public string Secret { get; set; } = "";
            public int Total => Id * 2;
        }

        public struct Size { public int Width { get; set; } public int @class { get; set; } }

        [MessagePack.MessagePackObject]
        public sealed class Packed { [MessagePack.Key(0)] public int X { get; set; } }

        [RpcService]
        public interface IShapes
        {
            Task<object[]> GetDataAsync();
            Task<Dictionary<string, string>> GetUserInfoAsync(string user);
            Task<IReadOnlyDictionary<string, List<long>>> GroupsAsync(IDictionary<string, long[]> input, int? limit);
            Task<IEnumerable<Shade?>> ShadesAsync(IReadOnlyList<Shade> wanted, ISet<string> tags, byte[] raw);
            Task<User> FindAsync(Size? size, Packed packed);
        }

        [RpcService]
        public partial class Shapes
        {
            private enum Hidden { A }

            [Public] public static Dictionary<string, object?> Describe(List<string> names, HashSet<int> ids, ICollection<double> values) => new();
            [Public] public static Task<IReadOnlyCollection<Shade>> All(IList<object> items, Dictionary<long, string> byId) => Task.FromResult<IReadOnlyCollection<Shade>>([]);

            // Not nameable from the module, and object keys: left to the analyzers and the user's resolver.
            [Public] private static int Count(Dictionary<object, int> map) => 0;
        }
        """, messagePack: true);

    [Fact]
    public void Naming_policies() => Verify(nameof(Naming_policies), """
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
        internal sealed partial class StringService
        {
            [Public] public Task<string> ReverseStringAsync(string s) => Task.FromResult(s);
            [Public] public string GetHTTPStatus() => "ok";
            [Public("Keep.This")] public string Verbatim() => "";
            [Public("get_user_comment")] public string GetComment(int commentId, [RpcName("Lang")] string languageCode = "en") => "";
        }

        public static partial class Outer
        {
            [RpcService(NamingPolicy = RpcNamingPolicy.CamelCase)]
            private partial class Nested : IContract
            {
                [Public] public int ComputeAsync() => 1;
                [Public] public int Scale(int ScaleFactor, int HTTPCode) => ScaleFactor;
                string IContract.Describe(string? value) => value ?? "";
                public int Count(int itemKind, string label) => itemKind;
            }
        }

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
        public interface IContract
        {
            [Public] string Describe(string? value);
            [Public] int Count(int itemKind, [RpcName("tag")] string label);
        }
        """);

    [Fact]
    public void Interface_proxy() => Verify(nameof(Interface_proxy), """
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        namespace Demo.Client
        {
            public interface IBase
            {
                int Version();
            }

            [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
            public interface IStringService : IBase
            {
                Task<string> ReverseStringAsync(string s, CancellationToken cancellationToken = default);
                [Public("get_user_comment")] ValueTask<string?> GetCommentAsync(int commentId);
                int Sum(params int[] values);
                Task PingAsync();
                ValueTask PongAsync(CancellationToken cancellationToken);
                void Reset();
                [OneWay] void Log(string message);
                [OneWay] Task LogAsync(string message, CancellationToken cancellationToken);
                string Describe() => "default implementations are left alone";
            }
        }
        """);

    [Fact]
    public void Service_with_call_context() => Verify(nameof(Service_with_call_context), """
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Server;

        namespace Demo.Audit
        {
            [RpcService]
            public partial class AuditService
            {
                [Public("who")]
                public string Who(RpcCallContext context) => context.Method;

                [Public]
                public Task<int> CountAsync(int start, RpcCallContext context, CancellationToken cancellationToken) => Task.FromResult(start);

                [Public]
                public int Plain(int a) => a;
            }

            // A contract shared by the service and its callers: the proxy sends no context, whatever it is given.
            [RpcService]
            public interface IAudit
            {
                [Public("who")] Task<string> WhoAsync(RpcCallContext? context = null);
            }
        }
        """);

    [Fact]
    public void AddMethod_interception() => Verify(nameof(AddMethod_interception), """
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        public static class Setup
        {
            public static void Configure(RpcDispatcher dispatcher)
            {
                dispatcher.AddMethod((int a, int b) => a - b, "subtract");
                dispatcher.AddMethod((int a, int b) => a - b, "minus");
                dispatcher.AddMethod(async (string text, string? suffix, CancellationToken cancellationToken) =>
                {
                    await Task.Yield();
                    return text + suffix;
                }, "concat");
                dispatcher.AddMethod(Hello);
                dispatcher.AddMethod(name: "ping", method: () => { });
            }

            private static string Hello(string name) => "Hello, " + name;
        }
        """);
}
