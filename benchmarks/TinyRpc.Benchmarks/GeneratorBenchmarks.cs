using System.Collections.Immutable;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using TinyRpc.Dispatch;
using TinyRpc.Generators;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 4: the generator over a compilation of 200 services with 10 methods each: a first run on a fresh
/// compilation, and the incremental re-run of a warm driver after an edit inside one method body (which must
/// not change any output).
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    public const int Services = 200;
    public const int MethodsPerService = 10;

    private CSharpParseOptions _parseOptions = null!;
    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _warm = null!;
    private SyntaxTree _original = null!;
    private SyntaxTree _edited = null!;

    [GlobalSetup]
    public void Setup()
    {
        _parseOptions = new CSharpParseOptions(LanguageVersion.Latest)
            .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "TinyRpc.Generated")]);
        SyntaxTree[] trees = Enumerable.Range(0, Services)
            .Select(i => CSharpSyntaxTree.ParseText(ServiceSource(i), _parseOptions, $"Service{i}.cs", Encoding.UTF8))
            .ToArray();
        _compilation = CSharpCompilation.Create("Services", trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // The edit: one constant inside one method body of one service.
        _original = trees[Services / 2];
        SourceText text = _original.GetText();
        int at = text.ToString().IndexOf("+ 0;", StringComparison.Ordinal);
        _edited = _original.WithChangedText(text.WithChanges(new TextChange(new TextSpan(at, 4), "+ 1;")));

        _warm = NewDriver().RunGenerators(_compilation);
        CheckRun(_warm.GetRunResult(), "the first run");
        CheckRun(_warm.RunGenerators(_compilation.ReplaceSyntaxTree(_original, _edited)).GetRunResult(), "the incremental run");
    }

    [Benchmark(Baseline = true)]
    public GeneratorDriver FirstRun() => NewDriver().RunGenerators(_compilation.Clone());

    [Benchmark]
    public GeneratorDriver IncrementalRun() => _warm.RunGenerators(_compilation.ReplaceSyntaxTree(_original, _edited));

    private CSharpGeneratorDriver NewDriver()
        => CSharpGeneratorDriver.Create([new RpcGenerator().AsSourceGenerator()], parseOptions: _parseOptions);

    private static void CheckRun(GeneratorDriverRunResult run, string which)
    {
        GeneratorRunResult result = run.Results.Single();
        if (result.Exception is not null || result.GeneratedSources.Length < Services)
        {
            throw new InvalidOperationException($"The generator failed in {which}: {result.Exception?.Message ?? result.GeneratedSources.Length + " sources"}.");
        }
    }

    private static string ServiceSource(int service)
    {
        var source = new StringBuilder();
        source.Append("using System.Threading.Tasks;\nusing TinyRpc;\n\nnamespace Bench.Services;\n\n[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]\n");
        source.Append("public partial class Service").Append(service).Append("\n{\n");
        for (int m = 0; m < MethodsPerService; m++)
        {
            // Three shapes in turn: sync with two primitives, async string, optional parameter.
            string body = (m % 3) switch
            {
                0 => $"    [Public]\n    public int Add{m}(int a, int b) => a + b + {m};\n",
                1 => $"    [Public]\n    public Task<string> EchoAsync{m}(string text) => Task.FromResult(text + {m});\n",
                _ => $"    [Public(\"scale_{m}\")]\n    public long Scale{m}(long value, int factor = 2) => value * factor + {m};\n",
            };
            source.Append(body).Append('\n');
        }

        return source.Append("}\n").ToString();
    }

    private static ImmutableArray<MetadataReference> References()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            .Where(static path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll" or "mscorlib.dll")
            .Append(typeof(RpcDispatcher).Assembly.Location)
            .Select(static path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}
