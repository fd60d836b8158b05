using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using TinyRpc.Protocols.MsgPackRpc;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0012: user types that get no generated MSGPACK-RPC formatter, in trimmed or AOT projects that use MSGPACK-RPC.</summary>
public class MessagePackFormatterTests
{
    private static readonly MetadataReference[] MessagePackReferences =
    [
        MetadataReference.CreateFromFile(typeof(TinyRpc.Protocols.MsgPackRpc.MessagePackRpcProtocol).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::MessagePack.MessagePackSerializer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::MessagePack.MessagePackObjectAttribute).Assembly.Location),
    ];

    private static Task VerifyAsync(string source, bool aot = true, bool messagePack = true, params DiagnosticResult[] expected)
    {
        var test = new Verifier<RpcSerializationAnalyzer, EmptyCodeFixProvider>.Test { TestCode = source };
        if (messagePack)
        {
            test.TestState.AdditionalReferences.AddRange(MessagePackReferences);
        }

        if (aot)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", """
                is_global = true
                build_property.PublishAot = true
                """));
        }

        // JSON metadata (TRPC0009) is another rule's concern: the sources list every type in a context.
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(TestContext.Current.CancellationToken);
    }


    private const string Context = """

        [System.Text.Json.Serialization.JsonSerializable(typeof(Basket))]
        [System.Text.Json.Serialization.JsonSerializable(typeof(Shape))]
        [System.Text.Json.Serialization.JsonSerializable(typeof(List<Page<int>>))]
        [System.Text.Json.Serialization.JsonSerializable(typeof(Order))]
        [System.Text.Json.Serialization.JsonSerializable(typeof(Packed))]
        internal abstract partial class AppJsonContext : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected AppJsonContext() : base(null) { }
        }
        """;

    private const string Contract = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        [RpcService]
        public partial class Shop
        {
            [Public] public {|#0:Task<Basket>|} GetAsync({|#1:Shape|} shape) => Task.FromResult(new Basket());
            [Public] public void Save({|#2:List<Page<int>>|} pages, Order order, Packed packed) { }
        }

        public abstract class Shape { public int Sides { get; set; } }
        public sealed class Page<T> { public List<T> Items { get; set; } = new(); }
        public sealed class Basket { public Coupon? Coupon { get; set; } }
        public sealed class Coupon { public Coupon(string code, int percent) { } public string Code => ""; }
        public sealed record Order(int Id, List<string> Lines);
        [MessagePack.MessagePackObject] public sealed class Packed { [MessagePack.Key(0)] public int X { get; set; } }
        """ + Context;

    [Fact]
    public Task Types_without_a_generated_formatter_are_reported_with_why() => VerifyAsync(Contract, expected:
    [
        new DiagnosticResult(DiagnosticIds.MissingMessagePackFormatter, DiagnosticSeverity.Warning).WithLocation(0)
            .WithArguments("Coupon", "GetAsync", "it has no constructor the generated formatter can call (a [JsonConstructor], public parameterless or only public constructor whose parameters match properties by name) or a member type generated code cannot name"),
        new DiagnosticResult(DiagnosticIds.MissingMessagePackFormatter, DiagnosticSeverity.Warning).WithLocation(1)
            .WithArguments("Shape", "GetAsync", "an interface or abstract type has no constructor to read it with"),
        new DiagnosticResult(DiagnosticIds.MissingMessagePackFormatter, DiagnosticSeverity.Warning).WithLocation(2)
            .WithArguments("Page<int>", "Save", "generic types get no generated formatter"),
    ]);

    [Fact]
    public Task Nothing_is_reported_without_MessagePack_or_outside_trimmed_and_AOT_projects()
        => Task.WhenAll(
            VerifyAsync(Contract.Replace("[MessagePack.MessagePackObject] ", "", StringComparison.Ordinal).Replace("[MessagePack.Key(0)] ", "", StringComparison.Ordinal), messagePack: false),
            VerifyAsync(Contract, aot: false));
}
