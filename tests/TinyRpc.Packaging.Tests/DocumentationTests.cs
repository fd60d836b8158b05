using System.Reflection;
using System.Text.RegularExpressions;

namespace TinyRpc.Packaging.Tests;

/// <summary>
/// Code in the documentation is taken from programs that CI builds and runs: a fenced block preceded by
/// <c>&lt;!-- snippet: path --&gt;</c> must appear, line by line and in order, in that file. Lines reading
/// <c>// ...</c> stand for omitted code.
/// </summary>
public sealed partial class DocumentationTests
{
    private static readonly string Root = typeof(DocumentationTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string>();
        foreach (string path in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Append(Path.Combine(Root, "README.md")))
        {
            documents.Add(Path.GetRelativePath(Root, path));
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Snippets_match_the_files_they_come_from(string document)
    {
        string text = File.ReadAllText(Path.Combine(Root, document));
        foreach (Match snippet in SnippetPattern().Matches(text))
        {
            string source = snippet.Groups["path"].Value;
            string file = Path.Combine(Root, source);
            Assert.True(File.Exists(file), $"{document}: snippet source {source} does not exist");
            string[] lines = File.ReadAllLines(file).Select(l => l.Trim()).ToArray();
            int at = 0;
            foreach (string raw in snippet.Groups["code"].Value.Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line == "// ...")
                {
                    continue;
                }

                int found = Array.IndexOf(lines, line, at);
                Assert.True(found >= 0, $"{document}: the line `{line}` is not in {source} (after line {at})");
                at = found + 1;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Links_to_files_of_the_repository_resolve(string document)
    {
        string directory = Path.GetDirectoryName(Path.Combine(Root, document))!;
        foreach (Match link in LinkPattern().Matches(File.ReadAllText(Path.Combine(Root, document))))
        {
            string target = link.Groups["target"].Value.Split('#')[0];
            if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            string resolved = Path.GetFullPath(Path.Combine(directory, target));
            Assert.True(File.Exists(resolved) || Directory.Exists(resolved), $"{document}: link to {target} does not resolve");
        }
    }

    [GeneratedRegex(@"<!-- snippet: (?<path>[^ ]+) -->\s*```[a-z]*\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex SnippetPattern();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex LinkPattern();
}
