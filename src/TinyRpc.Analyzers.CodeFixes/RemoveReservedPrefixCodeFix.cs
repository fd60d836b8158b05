using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TinyRpc.Analyzers.CodeFixes;

/// <summary>TRPC0005: removes the reserved <c>rpc.</c> prefix from a <c>[Public("rpc.name")]</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveReservedPrefixCodeFix)), Shared]
public sealed class RemoveReservedPrefixCodeFix : CodeFixProvider
{
    private const string Title = "Remove the reserved 'rpc.' prefix";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidRpcName);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (diagnostic.Properties.TryGetValue(RpcContractAnalyzer.NameWithoutPrefixProperty, out string? name) && name is not null
                && root?.FindNode(diagnostic.Location.SourceSpan) is AttributeArgumentSyntax { Expression: LiteralExpressionSyntax literal })
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(
                        root.ReplaceNode(literal, SyntaxNames.String(name).WithTriviaFrom(literal)))), equivalenceKey: Title),
                    diagnostic);
            }
        }
    }
}
