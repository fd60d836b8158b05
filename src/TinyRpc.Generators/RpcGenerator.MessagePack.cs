using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators;

public sealed partial class RpcGenerator
{
    /// <summary>
    /// MSGPACK-RPC formatters for the types every contract of the compilation uses, in one resolver that a
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

        IncrementalValueProvider<bool> referenced = context.CompilationProvider
            .Select(static (compilation, _) => Parser.ReferencesMessagePack(compilation))
            .WithTrackingName(TrackingNames.MessagePackReferenced);

        IncrementalValueProvider<(ImmutableArray<MessagePackContractSpec> Contracts, bool Referenced)> all = contracts
            .Collect()
            .Combine(referenced)
            .WithTrackingName(TrackingNames.MessagePackTypes);

        context.RegisterSourceOutput(all, static (spc, input) =>
        {
            if (input.Referenced && !input.Contracts.IsDefaultOrEmpty)
            {
                spc.AddSource(KnownNames.MessagePackFormattersHintName, Emitter.EmitMessagePackFormatters(input.Contracts));
            }
        });
    }
}
