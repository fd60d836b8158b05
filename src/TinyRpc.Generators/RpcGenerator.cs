using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators;

/// <summary>
/// Generates reflection-free dispatch tables for <c>[RpcService]</c> classes, typed client proxies for
/// <c>[RpcService]</c> interfaces, and interceptors that replace <c>RpcDispatcher.AddMethod(Delegate, string?)</c>
/// calls with generated invokers.
/// </summary>
/// <remarks>
/// Interceptors are emitted into the namespace <c>TinyRpc.Generated</c>, and only when the consuming project
/// enables it: <c>&lt;InterceptorsNamespaces&gt;$(InterceptorsNamespaces);TinyRpc.Generated&lt;/InterceptorsNamespaces&gt;</c>.
/// Without it, <c>AddMethod(Delegate)</c> keeps its reflection fallback. The generator reports no diagnostics:
/// input it cannot handle is skipped, and the TinyRpc analyzers report why.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class RpcGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ServiceSpec> services = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.RpcServiceAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                static (ctx, ct) => Parser.ParseService(ctx, ct))
            .WithTrackingName(TrackingNames.ServiceParsed)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.ServiceSpec);

        context.RegisterSourceOutput(services, static (spc, spec) => spc.AddSource(spec.HintName, Emitter.EmitService(spec)));

        IncrementalValuesProvider<ProxySpec> proxies = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.RpcServiceAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (ctx, ct) => Parser.ParseProxy(ctx, ct))
            .WithTrackingName(TrackingNames.ProxyParsed)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.ProxySpec);

        context.RegisterSourceOutput(proxies, static (spc, spec) => spc.AddSource(spec.HintName, Emitter.EmitProxy(spec)));

        // Interceptors need the consumer's opt-in (InterceptorsNamespaces); without it an [InterceptsLocation]
        // is a compile error, so nothing is emitted and AddMethod(Delegate) falls back to reflection.
        IncrementalValueProvider<bool> interceptorsEnabled = context.ParseOptionsProvider
            .Select(static (options, _) => Parser.AreInterceptorsEnabled(options))
            .WithTrackingName(TrackingNames.InterceptorsEnabled);

        IncrementalValuesProvider<InterceptorSpec> calls = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => Parser.IsAddMethodCandidate(node),
                static (ctx, ct) => Parser.ParseAddMethodCall(ctx, ct))
            .WithTrackingName(TrackingNames.InterceptorParsed)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.InterceptorSpec);

        IncrementalValueProvider<(ImmutableArray<InterceptorSpec> Calls, bool Enabled)> interceptors = calls
            .Collect()
            .Combine(interceptorsEnabled)
            .WithTrackingName(TrackingNames.Interceptors);

        context.RegisterSourceOutput(interceptors, static (spc, input) =>
        {
            if (input.Enabled && !input.Calls.IsDefaultOrEmpty)
            {
                spc.AddSource(KnownNames.InterceptorsHintName, Emitter.EmitInterceptors(input.Calls));
            }
        });

        InitializeMessagePack(context);
        InitializeContract(context);
        InitializeOpenRpc(context);
    }
}
