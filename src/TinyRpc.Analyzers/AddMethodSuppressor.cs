using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Parser = TinyRpc.Generators.RpcGenerator.Parser;

namespace TinyRpc.Analyzers;

/// <summary>
/// Suppresses the trimming (IL2026) and AOT (IL3050) warnings of <c>RpcDispatcher.AddMethod(Delegate, string?)</c>
/// calls that the TinyRpc generator intercepts: those calls never reach the reflection-based method the warnings
/// are about. A call the generator leaves alone (interceptors not enabled, a delegate it cannot name, a signature
/// it cannot serve) keeps its warnings, because it does use reflection.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AddMethodSuppressor : DiagnosticSuppressor
{
    /// <summary>Suppresses IL2026 (RequiresUnreferencedCode) at intercepted calls.</summary>
    internal static readonly SuppressionDescriptor UnreferencedCode = new(
        "TRPCSPR2026",
        "IL2026",
        "The TinyRpc generator replaces this AddMethod call with a reflection-free invoker.");

    /// <summary>Suppresses IL3050 (RequiresDynamicCode) at intercepted calls.</summary>
    internal static readonly SuppressionDescriptor DynamicCode = new(
        "TRPCSPR3050",
        "IL3050",
        "The TinyRpc generator replaces this AddMethod call with a reflection-free invoker.");

    /// <inheritdoc/>
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = ImmutableArray.Create(UnreferencedCode, DynamicCode);

    /// <inheritdoc/>
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        foreach (Diagnostic diagnostic in context.ReportedDiagnostics)
        {
            SuppressionDescriptor descriptor = diagnostic.Id == UnreferencedCode.SuppressedDiagnosticId ? UnreferencedCode : DynamicCode;
            if (diagnostic.Location.SourceTree is not { } tree
                || !Parser.AreInterceptorsEnabled(tree.Options)
                || FindInvocation(tree.GetRoot(context.CancellationToken), diagnostic.Location) is not { } invocation
                || !Parser.IsAddMethodCandidate(invocation))
            {
                continue;
            }

            // The same decision, made by the same code, as the one that emits the interceptor.
            SemanticModel model = context.GetSemanticModel(tree);
            if (Parser.ParseAddMethodCall(invocation, model, context.CancellationToken) is not null)
            {
                context.ReportSuppression(Suppression.Create(descriptor, diagnostic));
            }
        }
    }

    /// <summary>The invocation the warning is reported on: the node at its span, or the nearest enclosing one.</summary>
    private static InvocationExpressionSyntax? FindInvocation(SyntaxNode root, Location location)
    {
        if (!root.FullSpan.Contains(location.SourceSpan))
        {
            return null;
        }

        for (SyntaxNode? node = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true); node is not null; node = node.Parent)
        {
            if (node is InvocationExpressionSyntax invocation)
            {
                return invocation;
            }

            if (node is StatementSyntax or MemberDeclarationSyntax)
            {
                return null;
            }
        }

        return null;
    }
}
