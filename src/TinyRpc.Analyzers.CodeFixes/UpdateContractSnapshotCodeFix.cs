using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace TinyRpc.Analyzers.CodeFixes;

/// <summary>
/// TRPC0020-TRPC0024: writes the project's current wire contract into its contract snapshot, accepting every
/// change at once (the snapshot describes the whole project, so one fix settles all its diagnostics).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UpdateContractSnapshotCodeFix)), Shared]
public sealed class UpdateContractSnapshotCodeFix : CodeFixProvider
{
    private const string Title = "Update the contract snapshot";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.RpcMethodRemoved,
        DiagnosticIds.RpcParametersChanged,
        DiagnosticIds.RpcResultChanged,
        DiagnosticIds.RpcOneWayChanged,
        DiagnosticIds.RpcContractExtended);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => SnapshotFixAll.Instance;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        Project project = context.Document.Project;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (SnapshotPath(diagnostic) is { } path && Find(project, path) is not null)
            {
                context.RegisterCodeFix(CodeAction.Create(Title, ct => UpdateAsync(project.Solution, project.Id, path, ct), equivalenceKey: Title), diagnostic);
            }
        }

        return Task.CompletedTask;
    }

    private static string? SnapshotPath(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(RpcContractSnapshotAnalyzer.SnapshotPathProperty, out string? path) ? path : null;

    private static TextDocument? Find(Project project, string path)
        => project.AdditionalDocuments.FirstOrDefault(d => string.Equals(d.FilePath, path, System.StringComparison.Ordinal));

    private static async Task<Solution> UpdateAsync(Solution solution, ProjectId projectId, string path, CancellationToken cancellationToken)
    {
        Project? project = solution.GetProject(projectId);
        Compilation? compilation = project is null ? null : await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        if (project is null || compilation is null || Find(project, path) is not { } document)
        {
            return solution;
        }

        // The file keeps its encoding; a snapshot is ASCII, so any encoding holds it.
        SourceText old = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        string snapshot = RpcContractSnapshotAnalyzer.WriteSnapshot(compilation, cancellationToken);
        return solution.WithAdditionalDocumentText(document.Id, SourceText.From(snapshot, old.Encoding));
    }

    /// <summary>One snapshot update per project, however many diagnostics it settles.</summary>
    private sealed class SnapshotFixAll : FixAllProvider
    {
        public static readonly SnapshotFixAll Instance = new();

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes()
            => new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
            => Task.FromResult<CodeAction?>(CodeAction.Create(Title, async ct =>
            {
                IEnumerable<Project> projects = fixAllContext.Scope == FixAllScope.Solution ? fixAllContext.Solution.Projects : new[] { fixAllContext.Project };
                Solution solution = fixAllContext.Solution;
                foreach (Project project in projects)
                {
                    ImmutableArray<Diagnostic> diagnostics = await fixAllContext.GetAllDiagnosticsAsync(project).ConfigureAwait(false);
                    foreach (string path in diagnostics.Select(SnapshotPath).OfType<string>().Distinct(System.StringComparer.Ordinal))
                    {
                        solution = await UpdateAsync(solution, project.Id, path, ct).ConfigureAwait(false);
                    }
                }

                return solution;
            }, equivalenceKey: Title));
    }
}
