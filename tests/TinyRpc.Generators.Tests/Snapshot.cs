using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace TinyRpc.Generators.Tests;

/// <summary>
/// Compares generated sources with the checked-in <c>Snapshots/&lt;Test&gt;/&lt;Hint&gt;.verified.cs</c> files.
/// Run with <c>TINYRPC_UPDATE_SNAPSHOTS=1</c> to rewrite them on purpose (the run then fails, so that the diff is reviewed).
/// </summary>
internal static partial class Snapshot
{
    private const string Suffix = ".verified.cs";

    private static bool Updating => Environment.GetEnvironmentVariable("TINYRPC_UPDATE_SNAPSHOTS") == "1";

    /// <summary>Every generated source matches its snapshot, and no snapshot is left without a source.</summary>
    public static void MatchAll(IReadOnlyDictionary<string, string> sourcesByHint, string test, [CallerFilePath] string here = "")
    {
        string directory = Path.Combine(ProjectDirectory(here), "Snapshots", test);
        if (Updating)
        {
            if (Directory.Exists(directory))
            {
                foreach (string stale in Directory.GetFiles(directory, "*" + Suffix))
                {
                    File.Delete(stale);
                }
            }

            Directory.CreateDirectory(directory);
            foreach ((string hint, string source) in sourcesByHint)
            {
                File.WriteAllText(Path.Combine(directory, hint + Suffix), Normalize(source));
            }

            Assert.Fail($"{directory} rewritten; review the diff, then rerun without TINYRPC_UPDATE_SNAPSHOTS.");
        }

        string[] expectedHints = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*" + Suffix).Select(f => Path.GetFileName(f)[..^Suffix.Length]).Order(StringComparer.Ordinal).ToArray()
            : [];
        Assert.True(expectedHints.Length > 0, $"no snapshots in {directory}; run once with TINYRPC_UPDATE_SNAPSHOTS=1");
        Assert.Equal(expectedHints, sourcesByHint.Keys.Order(StringComparer.Ordinal).ToArray());
        foreach ((string hint, string source) in sourcesByHint)
        {
            string path = Path.Combine(directory, hint + Suffix);
            AssertSameLines(path, Normalize(File.ReadAllText(path)), Normalize(source));
        }
    }

    /// <summary>
    /// The test project's source directory: beside this file as compiled, or (when a path map hides the source path)
    /// the first directory above the test binaries that holds the project file.
    /// </summary>
    private static string ProjectDirectory(string callerFilePath)
    {
        string? here = Path.GetDirectoryName(callerFilePath);
        if (here is not null && File.Exists(Path.Combine(here, "TinyRpc.Generators.Tests.csproj")))
        {
            return here;
        }

        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "TinyRpc.Generators.Tests.csproj")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the TinyRpc.Generators.Tests project directory.");
    }

    /// <summary>"\n" line endings; the generator's version in [GeneratedCode] becomes %VERSION%.</summary>
    public static string Normalize(string text)
        => VersionPattern().Replace(text.Replace("\r\n", "\n"), "GeneratedCode(\"TinyRpc.Generators\", \"%VERSION%\")");

    private static void AssertSameLines(string path, string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string? el = i < e.Length ? e[i] : null;
            string? al = i < a.Length ? a[i] : null;
            if (!string.Equals(el, al, StringComparison.Ordinal))
            {
                Assert.Fail($"{path} differs at line {i + 1}:\n  expected: {el ?? "<end of file>"}\n  actual:   {al ?? "<end of file>"}\nRun with TINYRPC_UPDATE_SNAPSHOTS=1 to accept the new output.");
            }
        }
    }

    [GeneratedRegex("GeneratedCode\\(\"TinyRpc\\.Generators\", \"[^\"]*\"\\)")]
    private static partial Regex VersionPattern();
}
