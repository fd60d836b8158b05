using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TinyRpc.Analyzers.Tests;

/// <summary>Every diagnostic has a stable ID, a help link to its page, a page with a bad and a good example, and a release entry.</summary>
public class DescriptorTests
{
    private static readonly DiagnosticAnalyzer[] s_analyzers = [new RpcContractAnalyzer(), new RpcSerializationAnalyzer(), new RpcContractSnapshotAnalyzer()];

    private static DiagnosticDescriptor[] Descriptors() => s_analyzers.SelectMany(static a => a.SupportedDiagnostics).ToArray();

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "TinyRpc.Generators.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Ids_are_unique_and_numbered_without_gaps_in_their_ranges()
    {
        // 1-19: contract and serialization rules; 20-29: compatibility with the contract snapshot.
        string[] ids = Descriptors().Select(static d => d.Id).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Enumerable.Range(1, 12).Concat(Enumerable.Range(20, 7)).Select(static i => $"TRPC{i:0000}"), ids);
    }

    [Fact]
    public void Each_descriptor_is_complete_and_links_to_its_page()
    {
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()), d.Id);
            Assert.False(string.IsNullOrWhiteSpace(d.MessageFormat.ToString()), d.Id);
            Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString()), d.Id);
            Assert.StartsWith("TinyRpc.", d.Category, StringComparison.Ordinal);
            Assert.True(d.IsEnabledByDefault, d.Id);
            Assert.Equal($"https://github.com/tinyrpc-dotnet/tinyrpc/blob/main/docs/diagnostics/{d.Id}.md", d.HelpLinkUri);
        }
    }

    [Fact]
    public void Each_id_has_a_page_with_a_bad_and_a_good_example_and_is_listed()
    {
        string docs = Path.Combine(RepositoryRoot(), "docs", "diagnostics");
        string index = File.ReadAllText(Path.Combine(docs, "README.md"));
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            string page = File.ReadAllText(Path.Combine(docs, d.Id + ".md"));
            Assert.StartsWith($"# {d.Id}: ", page, StringComparison.Ordinal);
            Assert.Contains("## Bad", page, StringComparison.Ordinal);
            Assert.Contains("## Good", page, StringComparison.Ordinal);
            Assert.Contains($"| {d.DefaultSeverity} |", page, StringComparison.Ordinal);
            Assert.Contains($"[{d.Id}]({d.Id}.md)", index, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_id_is_in_the_release_tracking_file_with_its_category_and_severity()
    {
        string unshipped = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "TinyRpc.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            Assert.Matches(new Regex($@"^{d.Id} \| {Regex.Escape(d.Category)} \| {d.DefaultSeverity} \|", RegexOptions.Multiline), unshipped);
        }
    }
}
