using Microsoft.CodeAnalysis;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators.Tests;

/// <summary>Symbols to specs: what the parser extracts, asserted on the specs themselves.</summary>
public class ParserTests
{
    private static IReadOnlyList<T> Specs<T>(string source, string step, bool interceptors = true)
    {
        Compilation compilation = GeneratorHarness.CreateCompilation(source, interceptors);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(GeneratorHarness.ParseOptions(interceptors), trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return result.TrackedSteps.TryGetValue(step, out var steps)
            ? steps.SelectMany(s => s.Outputs).Select(o => (T)o.Value).ToList()
            : [];
    }

    private static ImmutableEquatableArray<T> Array<T>(params T[] items) where T : IEquatable<T> => items.ToImmutableEquatableArray();

    private static ParameterSpec Wire(string name, string type, bool rejectsNull = false, string? defaultValue = null)
        => new(name, ParameterKind.Wire, type, type.TrimEnd('?') is var t && type == "string?" ? t : type, defaultValue is not null, defaultValue, rejectsNull, null, false);

    [Fact]
    public void A_service_class_becomes_a_spec()
    {
        ServiceSpec spec = Assert.Single(Specs<ServiceSpec>("""
            using System.Threading;
            using System.Threading.Tasks;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            namespace Demo;
            [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
            public partial class Site
            {
                [Public("get_user_comment")] public string GetComment(int commentId) => "";
                [Public] public Task<string> ReverseStringAsync(string s, string? suffix = null, CancellationToken ct = default) => Task.FromResult(s);
                [Public] public static void Reset() { }
                public void Secret() { }
            }
            """, TrackingNames.ServiceSpec));

        var expected = new ServiceSpec(
            "Demo.Site.g.cs", "Demo", Array<ContainingTypeSpec>(), "class", "Site", "global::Demo.Site", RegistrationSite.Service,
            Array(
                new MethodSpec("GetComment", "get_user_comment", CallKind.Instance, null, ReturnKind.Value, "string", Array(Wire("comment_id", "int"))),
                new MethodSpec("Reset", "reset", CallKind.Static, "global::Demo.Site", ReturnKind.Void, null, Array<ParameterSpec>()),
                new MethodSpec("ReverseStringAsync", "reverse_string", CallKind.Instance, null, ReturnKind.TaskOfT, "string", Array(
                    Wire("s", "string", rejectsNull: true),
                    Wire("suffix", "string?", defaultValue: "null"),
                    new ParameterSpec("ct", ParameterKind.CancellationToken, "global::System.Threading.CancellationToken", "global::System.Threading.CancellationToken", false, null, false, null, false)))));
        Assert.Equal(expected, spec);
    }

    [Fact]
    public void Params_arrays_and_defaults_are_described()
    {
        MethodSpec method = Assert.Single(Assert.Single(Specs<ServiceSpec>("""
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService]
            partial class Calc
            {
                [Public] public int Sum(long start = -5L, params string?[] values) => 0;
            }
            """, TrackingNames.ServiceSpec)).Methods);
        Assert.Equal(
            Array(
                new ParameterSpec("start", ParameterKind.Wire, "long", "long", true, "-5L", false, null, false),
                new ParameterSpec("values", ParameterKind.ParamArray, "string?[]", "string[]", false, null, true, "string?", false)),
            method.Parameters);
    }

    [Fact]
    public void Public_on_an_interface_and_inherited_members_are_found()
    {
        ServiceSpec spec = Assert.Single(Specs<ServiceSpec>("""
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService(NamingPolicy = RpcNamingPolicy.CamelCase)]
            public interface IContract { [Public] int Count(); [Public("explicit_name")] int Other(); }
            public class Base { [Public] public virtual int Inherited() => 0; }
            [RpcService]
            public partial class Service : Base, IContract
            {
                public int Count() => 1;
                int IContract.Other() => 2;
                public override int Inherited() => 3;
            }
            """, TrackingNames.ServiceSpec));
        Assert.Equal(
            [("Count", "count", CallKind.Instance), ("Inherited", "Inherited", CallKind.Instance), ("Other", "explicit_name", CallKind.ExplicitInterface)],
            spec.Methods.Select(m => (m.ClrName, m.RpcName, m.CallKind)).OrderBy(m => m.CallKind).ThenBy(m => m.ClrName, StringComparer.Ordinal));
    }

    [Fact]
    public void Unsupported_input_is_skipped_without_diagnostics()
    {
        const string source = """
            using System;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService] public class NotPartial { [Public] public int A() => 0; }
            [RpcService] public static partial class Static { [Public] public static int A() => 0; }
            [RpcService] public partial class Generic<T> { [Public] public int A() => 0; }
            [RpcService] public partial class Skips
            {
                [Public] public T Generic<T>(T value) => value;
                [Public] public void ByRef(ref int value) { }
                [Public] public void Out(out int value) => value = 0;
                [Public] public int Span(ReadOnlySpan<byte> bytes) => 0;
                [Public] public int Kept(int value) => value;
            }
            [RpcService] public interface IWithProperty { int Value { get; } }
            [RpcService] public interface IGenericMethod { T Get<T>(); }
            """;
        ServiceSpec spec = Assert.Single(Specs<ServiceSpec>(source, TrackingNames.ServiceSpec));
        Assert.Equal("Skips", spec.Name);
        Assert.Equal(["Kept"], spec.Methods.Select(m => m.ClrName));
        Assert.Empty(Specs<ProxySpec>(source, TrackingNames.ProxySpec));

        (_, _, System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Invalid_and_duplicate_names_unsendable_types_and_extra_tokens_are_skipped()
    {
        const string source = """
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService(TrimAsyncSuffix = true)] public partial class Skips
            {
                [Public("rpc.reserved")] public int Reserved() => 0;
                [Public("")] public int Empty() => 0;
                [Public] public int Ping() => 0;
                [Public] public Task<int> PingAsync() => Task.FromResult(0);
                [Public] public int Add(int a) => a;
                [Public] public int Add(long a) => 0;
                [Public] public void Upload(Stream stream) { }
                [Public] public Action Callback() => () => { };
                [Public] public Task<Type> KindAsync() => Task.FromResult(typeof(int));
                [Public] public void Later(Task<int> value) { }
                [Public] public void Wait(CancellationToken a, CancellationToken b) { }
                [Public] public int Kept(int value, CancellationToken cancellationToken) => value;
            }
            [RpcService] public interface IOneWayResult { [OneWay] Task<int> CountAsync(); }
            [RpcService] public interface IReservedName { [Public("rpc.get")] int Get(); }
            [RpcService] public interface IStream { Task SendAsync(Stream stream); }
            [RpcService(TrimAsyncSuffix = true)] public interface ISyncAndAsync { void Log(string m); Task LogAsync(string m); }
            """;
        ServiceSpec spec = Assert.Single(Specs<ServiceSpec>(source, TrackingNames.ServiceSpec));
        Assert.Equal(["Kept"], spec.Methods.Select(m => m.ClrName));

        // A proxy must implement every member, so one invalid member leaves the whole interface without a proxy;
        // two client methods calling one remote name are fine.
        ProxySpec proxy = Assert.Single(Specs<ProxySpec>(source, TrackingNames.ProxySpec));
        Assert.Equal(["Log", "Log"], proxy.Methods.Select(m => m.RpcName));

        (_, Compilation output, System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(diagnostics);
        GeneratorHarness.AssertClean(output);
    }

    [Fact]
    public void An_interface_becomes_a_proxy_spec()
    {
        ProxySpec spec = Assert.Single(Specs<ProxySpec>("""
            using System.Threading;
            using System.Threading.Tasks;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            namespace Demo;
            [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
            internal interface IGreeter
            {
                Task<string> SayHelloAsync(string name, CancellationToken cancellationToken);
                [OneWay] void Log(params string[] lines);
            }
            """, TrackingNames.ProxySpec));
        var expected = new ProxySpec("Demo.IGreeter.g.cs", "Demo", "global::Demo.IGreeter", "GreeterProxy", false, Array(
            new ProxyMethodSpec("global::Demo.IGreeter", "SayHelloAsync", "say_hello", false, ReturnKind.TaskOfT,
                "global::System.Threading.Tasks.Task<string>", "string", Array(
                    new ProxyParameterSpec("name", "string", ParameterKind.Wire, null),
                    new ProxyParameterSpec("cancellationToken", "global::System.Threading.CancellationToken", ParameterKind.CancellationToken, null))),
            new ProxyMethodSpec("global::Demo.IGreeter", "Log", "log", true, ReturnKind.Void, "void", null, Array(
                new ProxyParameterSpec("lines", "string[]", ParameterKind.ParamArray, "string")))));
        Assert.Equal(expected, spec);
    }

    [Fact]
    public void Base_interface_methods_keep_their_own_naming_settings()
    {
        IReadOnlyList<ProxySpec> specs = Specs<ProxySpec>("""
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
            public interface IUsers { string GetUser(int id); }
            public interface IPlain { int PlainValue(); }
            [RpcService]
            public interface IAdmin : IUsers, IPlain { void ResetAll(); }
            """, TrackingNames.ProxySpec);
        ProxySpec admin = specs.Single(s => s.ProxyName == "AdminProxy");
        Assert.Equal(["ResetAll", "PlainValue", "get_user"], admin.Methods.Select(m => m.RpcName));
        Assert.Equal(["get_user"], specs.Single(s => s.ProxyName == "UsersProxy").Methods.Select(m => m.RpcName));
    }

    [Fact]
    public void AddMethod_calls_with_lambdas_and_method_groups_are_found()
    {
        const string source = """
            using System;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            static class Setup
            {
                static void Configure(RpcDispatcher d, Delegate any)
                {
                    d.AddMethod((int a, int b) => a + b, "add");
                    d.AddMethod(Hello);
                    d.AddMethod(any, "not a lambda");
                    d.AddMethod((int a = 1) => a, "anonymous delegate type");
                    d.AddMethod("handler", (request, ct) => default);
                }
                static string Hello() => "hi";
            }
            """;
        IReadOnlyList<InterceptorSpec> calls = Specs<InterceptorSpec>(source, TrackingNames.InterceptorSpec);
        Assert.Equal(2, calls.Count);
        Assert.Equal(new DelegateSpec("global::System.Func<int, int, int>", null, ReturnKind.Value, "int", Array(Wire("a", "int"), Wire("b", "int"))), calls[0].Delegate);
        Assert.Equal(new DelegateSpec("global::System.Func<string>", "Hello", ReturnKind.Value, "string", Array<ParameterSpec>()), calls[1].Delegate);
        Assert.Equal((1, "Test.cs", 7), (calls[0].Location.Version, calls[0].Location.FileName, calls[0].Location.Line));

        // Without the InterceptorsNamespaces opt-in, nothing is emitted (the calls keep the reflection fallback).
        (System.Collections.Immutable.ImmutableArray<GeneratedSourceResult> sources, _, _) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source, interceptors: false));
        Assert.Empty(sources);
    }

    [Fact]
    public void Overloads_and_a_method_named_like_a_numbered_overload_compile()
    {
        const string source = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService] public partial class Numbered
            {
                [Public("a")] public int Foo(int x) => x;
                [Public("b")] public int Foo(string x) => x.Length;
                [Public("c")] public int Foo_2() => 2;
            }
            """;
        (_, Compilation output, System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(diagnostics);
        GeneratorHarness.AssertClean(output);
    }

    [Fact]
    public void Lambdas_over_types_the_interceptor_cannot_name_are_left_alone()
    {
        const string source = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            static class Setup
            {
                private sealed class Secret { }
                static void Configure(RpcDispatcher d)
                {
                    d.AddMethod((Secret[] s) => s.Length, "arrays of a private type");
                    d.AddMethod((FileLocal f) => 0, "a file-local type");
                    d.AddMethod((int[] values) => values.Length, "kept");
                }
            }
            file sealed class FileLocal { }
            """;
        InterceptorSpec call = Assert.Single(Specs<InterceptorSpec>(source, TrackingNames.InterceptorSpec));
        Assert.Equal("global::System.Func<int[], int>", call.Delegate.DelegateTypeName);
        (_, Compilation output, _) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.DoesNotContain(output.GetDiagnostics(), static d => d.Severity == DiagnosticSeverity.Error);
    }
}
