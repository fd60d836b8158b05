using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace TinyRpc.Analyzers.CodeFixes;

/// <summary>A fix for one diagnostic ID that offers at most one action per diagnostic.</summary>
public abstract class DiagnosticCodeFix : CodeFixProvider
{
    private protected DiagnosticCodeFix(string diagnosticId) => FixableDiagnosticIds = ImmutableArray.Create(diagnosticId);

    /// <inheritdoc/>
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (CreateAction(context.Document, root, root.FindNode(diagnostic.Location.SourceSpan), diagnostic) is { } action)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    /// <summary>The action for <paramref name="diagnostic"/> reported at <paramref name="node"/>, or null when there is none.</summary>
    private protected abstract CodeAction? CreateAction(Document document, SyntaxNode root, SyntaxNode node, Diagnostic diagnostic);
}
