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

/// <summary>TRPC0003: makes the <c>[Public]</c> method public.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePublicCodeFix)), Shared]
public sealed class MakePublicCodeFix : DiagnosticCodeFix
{
    private const string Title = "Make the method public";

    /// <summary>Creates the fix.</summary>
    public MakePublicCodeFix()
        : base(DiagnosticIds.InaccessibleMethod)
    {
    }

    private protected override CodeAction? CreateAction(Document document, SyntaxNode root, SyntaxNode node, Diagnostic diagnostic)
        => node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method
            ? CodeAction.Create(Title, ct => FixAsync(document, root, method, ct), equivalenceKey: Title)
            : null;

    private static Task<Document> FixAsync(Document document, SyntaxNode root, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        SyntaxTokenList modifiers = method.Modifiers;
        SyntaxToken[] accessibility = modifiers
            .Where(static m => m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PublicKeyword))
            .ToArray();
        MethodDeclarationSyntax updated;
        if (accessibility.Length > 0)
        {
            SyntaxToken first = accessibility[0];
            SyntaxTokenList rest = SyntaxFactory.TokenList(modifiers.Where(m => !accessibility.Contains(m)));
            SyntaxToken publicKeyword = SyntaxFactory.Token(first.LeadingTrivia, SyntaxKind.PublicKeyword, first.TrailingTrivia);
            updated = method.WithModifiers(rest.Insert(0, publicKeyword));
        }
        else if (modifiers.Count > 0)
        {
            SyntaxToken first = modifiers[0];
            updated = method.WithModifiers(modifiers
                .Replace(first, first.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                .Insert(0, SyntaxFactory.Token(first.LeadingTrivia, SyntaxKind.PublicKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space))));
        }
        else
        {
            TypeSyntax returnType = method.ReturnType;
            updated = method
                .WithReturnType(returnType.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(returnType.GetLeadingTrivia(), SyntaxKind.PublicKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space))));
        }

        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(method, updated)));
    }
}
