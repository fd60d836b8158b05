using System.Collections.Generic;
using System.Collections.Immutable;
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

/// <summary>TRPC0002: adds <c>[RpcService]</c> to the type that contains the <c>[Public]</c> method, and makes it partial.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddRpcServiceCodeFix)), Shared]
public sealed class AddRpcServiceCodeFix : DiagnosticCodeFix
{
    private const string Title = "Add [RpcService] to the containing type";

    /// <summary>Creates the fix.</summary>
    public AddRpcServiceCodeFix()
        : base(DiagnosticIds.PublicOutsideService)
    {
    }

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAll.Instance;

    private protected override CodeAction? CreateAction(Document document, SyntaxNode root, SyntaxNode node, Diagnostic diagnostic)
        => node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type
           // Structs and static classes cannot be services: [RpcService] would not help there.
           && type is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword }
           && !type.Modifiers.Any(SyntaxKind.StaticKeyword)
            ? CodeAction.Create(Title, ct => FixAsync(document, new[] { diagnostic }, ct), equivalenceKey: Title)
            : null;

    private static TypeDeclarationSyntax? FindType(SyntaxNode root, Diagnostic diagnostic)
        => root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<TypeDeclarationSyntax>();

    private static async Task<Document> FixAsync(Document document, IEnumerable<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        TypeDeclarationSyntax[] types = diagnostics
            .Select(d => FindType(root, d))
            .OfType<TypeDeclarationSyntax>()
            .Distinct()
            .ToArray();
        var needPartial = new HashSet<TypeDeclarationSyntax>(types.SelectMany(static t => t.AncestorsAndSelf().OfType<TypeDeclarationSyntax>()));
        SyntaxNode newRoot = root.ReplaceNodes(needPartial, (original, rewritten) =>
        {
            TypeDeclarationSyntax result = rewritten;
            if (types.Contains(original))
            {
                AttributeListSyntax list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
                    SyntaxFactory.Attribute(SyntaxNames.Qualified("RpcService"))));
                result = result.AddAttributeLists(list.WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation));
            }

            return SyntaxNames.MakePartial(result);
        });
        return document.WithSyntaxRoot(newRoot);
    }

    private sealed class FixAll : DocumentBasedFixAllProvider
    {
        public static readonly FixAll Instance = new();

        protected override string GetFixAllTitle(FixAllContext fixAllContext) => Title;

        protected override async Task<Document?> FixAllAsync(FixAllContext fixAllContext, Document document, ImmutableArray<Diagnostic> diagnostics)
            => await FixAsync(document, diagnostics, fixAllContext.CancellationToken).ConfigureAwait(false);
    }
}
