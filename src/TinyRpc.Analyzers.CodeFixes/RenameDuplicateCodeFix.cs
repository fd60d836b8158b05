using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TinyRpc.Analyzers.CodeFixes;

/// <summary>TRPC0001: gives the duplicate the unique name the analyzer proposes, as <c>[Public("name")]</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenameDuplicateCodeFix)), Shared]
public sealed class RenameDuplicateCodeFix : DiagnosticCodeFix
{
    /// <summary>Creates the fix.</summary>
    public RenameDuplicateCodeFix()
        : base(DiagnosticIds.DuplicateRpcName)
    {
    }

    // One equivalence key for all: fix-all renames every duplicate to its own proposal.
    private protected override CodeAction? CreateAction(Document document, SyntaxNode root, SyntaxNode node, Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(RpcContractAnalyzer.ProposedNameProperty, out string? name) && name is not null
           && node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method
            ? CodeAction.Create($"Serve as '{name}'", ct => FixAsync(document, method, name, ct), equivalenceKey: nameof(RenameDuplicateCodeFix))
            : null;

    private static async Task<Document> FixAsync(Document document, MethodDeclarationSyntax method, string name, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        AttributeSyntax? existing = method.AttributeLists
            .SelectMany(static l => l.Attributes)
            .FirstOrDefault(a => model.GetTypeInfo(a, cancellationToken).Type?.ToDisplayString() == "TinyRpc.PublicAttribute");
        AttributeArgumentListSyntax arguments = SyntaxFactory.AttributeArgumentList(
            SyntaxFactory.SingletonSeparatedList(SyntaxFactory.AttributeArgument(SyntaxNames.String(name))));
        SyntaxNode newRoot;
        if (existing is not null)
        {
            newRoot = root.ReplaceNode(existing, existing.WithArgumentList(arguments));
        }
        else
        {
            AttributeListSyntax list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.Attribute(SyntaxNames.Qualified("Public"), arguments)));
            newRoot = root.ReplaceNode(method, method.AddAttributeLists(list.WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation)));
        }

        return document.WithSyntaxRoot(newRoot);
    }
}
