using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators;

public sealed partial class RpcGenerator
{
    /// <summary>
    /// MSGPACK-RPC formatters for the types every contract of the compilation (and every intercepted
    /// <c>AddMethod</c> delegate) uses, in one resolver that a
    /// module initializer registers with TinyRpc.MessagePack. Nothing is emitted when the compilation does not
    /// reference TinyRpc.MessagePack, so the generated code never names MessagePack-CSharp without it.
    /// </summary>
    private static void InitializeMessagePack(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<MessagePackContractSpec> contracts = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.RpcServiceAttribute,
                static (node, _) => node is ClassDeclarationSyntax or InterfaceDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                static (ctx, ct) => Parser.ParseMessagePackContract(ctx, ct))
            .Where(static spec => spec is { Types.Count: > 0 })
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.MessagePackContract);

        IncrementalValuesProvider<MessagePackContractSpec> delegates = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => Parser.IsAddMethodCandidate(node),
                static (ctx, ct) => Parser.ParseMessagePackDelegate(ctx, ct))
            .Where(static spec => spec is { Types.Count: > 0 })
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.MessagePackDelegate);

        IncrementalValueProvider<bool> referenced = context.CompilationProvider
            .Select(static (compilation, _) => Parser.ReferencesMessagePack(compilation))
            .WithTrackingName(TrackingNames.MessagePackReferenced);

        IncrementalValueProvider<((ImmutableArray<MessagePackContractSpec> Contracts, ImmutableArray<MessagePackContractSpec> Delegates) Specs, bool Referenced)> all = contracts
            .Collect()
            .Combine(delegates.Collect())
            .Combine(referenced)
            .WithTrackingName(TrackingNames.MessagePackTypes);

        context.RegisterSourceOutput(all, static (spc, input) =>
        {
            ImmutableArray<MessagePackContractSpec> specs = input.Specs.Contracts.AddRange(input.Specs.Delegates);
            if (input.Referenced && !specs.IsDefaultOrEmpty)
            {
                spc.AddSource(KnownNames.MessagePackFormattersHintName, Emitter.EmitMessagePackFormatters(specs));
            }
        });
    }
}
