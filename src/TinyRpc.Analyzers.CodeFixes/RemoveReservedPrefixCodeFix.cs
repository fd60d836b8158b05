using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TinyRpc.Analyzers.CodeFixes;

/// <summary>TRPC0005: removes the reserved <c>rpc.</c> prefix from a <c>[Public("rpc.name")]</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveReservedPrefixCodeFix)), Shared]
public sealed class RemoveReservedPrefixCodeFix : DiagnosticCodeFix
{
    private const string Title = "Remove the reserved 'rpc.' prefix";

    /// <summary>Creates the fix.</summary>
    public RemoveReservedPrefixCodeFix()
        : base(DiagnosticIds.InvalidRpcName)
    {
    }

    private protected override CodeAction? CreateAction(Document document, SyntaxNode root, SyntaxNode node, Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(RpcContractAnalyzer.NameWithoutPrefixProperty, out string? name) && name is not null
           && node is AttributeArgumentSyntax { Expression: LiteralExpressionSyntax literal }
            ? CodeAction.Create(Title, _ => Task.FromResult(document.WithSyntaxRoot(
                root.ReplaceNode(literal, SyntaxNames.String(name).WithTriviaFrom(literal)))), equivalenceKey: Title)
            : null;
}
