using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators;

public sealed partial class RpcGenerator
{
    /// <summary>
    /// The OpenRPC document of each <c>[RpcService]</c> class, as a constant the generated dispatch table hands to
    /// the dispatcher: written beside the table, from the same methods, so that the document and what is served agree.
    /// Each <c>[RpcService]</c> interface's, as a public constant of its generated proxy.
    /// </summary>
    private static void InitializeOpenRpc(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<OpenRpcSpec> documents = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.RpcServiceAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                static (ctx, ct) => Parser.ParseOpenRpc(ctx, ct))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.OpenRpcSpec);

        context.RegisterSourceOutput(documents, static (spc, spec) => spc.AddSource(spec.HintName, Emitter.EmitOpenRpc(spec)));

        // An interface's document is a constant of its proxy: the contract as clients and tools see it.
        IncrementalValuesProvider<OpenRpcSpec> contracts = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.RpcServiceAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (ctx, ct) => Parser.ParseContractOpenRpc(ctx, ct))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.ContractOpenRpcSpec);

        context.RegisterSourceOutput(contracts, static (spc, spec) => spc.AddSource(spec.HintName, Emitter.EmitOpenRpc(spec)));
    }
}
