using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators;

public sealed partial class RpcGenerator
{
    /// <summary>
    /// When the project asks for it (<c>TinyRpcWriteContract</c> is <c>true</c>, made visible to the compiler by the
    /// package's build targets), the wire contract of every <c>[RpcService]</c> type of the compilation, as the text
    /// of a contract snapshot inside a generated file that compiles to nothing. The build targets copy that text to
    /// the project's <c>*.rpc-contract.json</c>: a generator cannot write files itself.
    /// </summary>
    private static void InitializeContract(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<bool> requested = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue(KnownNames.WriteContractProperty, out string? value)
                && string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            .WithTrackingName(TrackingNames.ContractRequested);

        IncrementalValuesProvider<ContractServiceSpec> services = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.RpcServiceAttribute,
                static (node, _) => node is ClassDeclarationSyntax or InterfaceDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                static (ctx, ct) => Parser.ParseContract(ctx, ct))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.ContractService);

        IncrementalValueProvider<(ImmutableArray<ContractServiceSpec> Services, bool Requested)> all = services
            .Collect()
            .Combine(requested)
            .WithTrackingName(TrackingNames.Contract);

        context.RegisterSourceOutput(all, static (spc, input) =>
        {
            if (input.Requested)
            {
                spc.AddSource(KnownNames.ContractHintName, Emitter.EmitContract(input.Services));
            }
        });
    }
}
