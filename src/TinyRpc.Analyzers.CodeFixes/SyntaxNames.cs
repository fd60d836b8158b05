using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace TinyRpc.Analyzers.CodeFixes;

/// <summary>Syntax the fixes share.</summary>
internal static class SyntaxNames
{
    /// <summary><c>global::TinyRpc.{name}</c>, reduced to <c>{name}</c> where a using directive allows.</summary>
    public static NameSyntax Qualified(string name)
        => SyntaxFactory.ParseName("global::TinyRpc." + name).WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>The declaration with a <c>partial</c> modifier, placed last as C# requires.</summary>
    public static TypeDeclarationSyntax MakePartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return declaration;
        }

        if (declaration.Modifiers.Count == 0)
        {
            SyntaxToken keyword = declaration.Keyword;
            return declaration
                .WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space))));
        }

        return declaration.AddModifiers(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space));
    }

    /// <summary>A string literal expression.</summary>
    public static LiteralExpressionSyntax String(string value)
        => SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(value));
}
