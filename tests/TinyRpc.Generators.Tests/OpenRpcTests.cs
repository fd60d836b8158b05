using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TinyRpc.Generators.Tests;

/// <summary>The OpenRPC document generated for each service class.</summary>
public class OpenRpcTests
{
    internal const string Source = """
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        namespace Demo.Shop;

        /// <summary>A node of a category tree.</summary>
        public sealed class Category
        {
            /// <summary>The category's name.</summary>
            public required string Name { get; init; }

            /// <summary>Sub-categories: the type contains itself.</summary>
            public List<Category> Children { get; init; } = new();

            public Category? Parent { get; set; }

            [JsonIgnore]
            public int Cached { get; set; }
        }

        public record Item(
            [property: JsonPropertyName("item_id")] int Id,
            string Title,
            decimal? Price,
            IReadOnlyDictionary<string, string> Tags,
            Colour Colour,
            Size Size);

        [JsonConverter(typeof(JsonStringEnumConverter<Colour>))]
        public enum Colour { Red, Green }

        public enum Size { Small = 1, Large = 2 }

        /// <summary>Thrown when an item is out of stock.</summary>
        public sealed class OutOfStockException(string? data = null) : RpcException(4001, "Out of stock", data);

        public sealed class NotFoundException : RpcException
        {
            public NotFoundException() : base(4004, "Not found") { }
            public NotFoundException(object? data) : base(4004, "Not found", data) { }
        }

        /// <summary>Code not fixed: left out of the document.</summary>
        public sealed class VaryingException(int code) : RpcException(code, "Varies");

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
        public interface IAudit
        {
            /// <summary>Records an event; nothing is answered.</summary>
            /// <param name="text">What happened.</param>
            [Public, OneWay]
            void Record(string text);
        }

        /// <summary>The shop's <c>catalogue</c>.</summary>
        /// <remarks>Every price is in euros.</remarks>
        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
        public partial class ShopService : IAudit
        {
            /// <summary>Finds items by <paramref name="query"/>.</summary>
            /// <param name="query">Words to look for.</param>
            /// <param name="maxCount">At most this many; see <see cref="Item"/>.</param>
            /// <returns>The items found, best first.</returns>
            /// <exception cref="NotFoundException">Nothing matches.</exception>
            /// <exception cref="VaryingException">Sometimes.</exception>
            [Public]
            public Task<List<Item>> FindItemsAsync(string query, [RpcName("limit")] int maxCount = 10, CancellationToken cancellationToken = default) => Task.FromResult(new List<Item>());

            /// <summary>Buys one item.</summary>
            /// <exception cref="OutOfStockException">None left.</exception>
            /// <exception cref="NotFoundException">No such item.</exception>
            [Public("buy")]
            public void Buy(int itemId, Size size = Size.Large, Colour? colour = null) { }

            /// <summary>The category tree.</summary>
            [Public]
            public Category Categories() => new() { Name = "root" };

            [Public]
            public Dictionary<string, Item?> ByTag(HashSet<string> tags, params string[] more) => new();

            /// <inheritdoc/>
            public void Record(string text) { }
        }
        """;

    private static (string Document, Compilation Output) Generate(DocumentationMode mode)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
        compilation = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(
            CSharpSyntaxTree.ParseText(Source, GeneratorHarness.ParseOptions().WithDocumentationMode(mode), "Test.cs"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new RpcGenerator().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions().WithDocumentationMode(mode));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        string source = result.GeneratedSources.Single(s => s.HintName == "Demo.Shop.ShopService.OpenRpc.g.cs").SourceText.ToString();
        int start = source.IndexOf("\"\"\"\n", StringComparison.Ordinal) + 4;
        int end = source.LastIndexOf("\"\"\";", StringComparison.Ordinal);
        string json = string.Join("\n", source[start..end].Split('\n').Select(static l => l.Trim()));
        return (json, output);
    }

    [Fact]
    public void Snapshot_of_a_documented_service()
    {
        (System.Collections.Immutable.ImmutableArray<GeneratedSourceResult> sources, Compilation output, _) =
            GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Source));
        GeneratorHarness.AssertClean(output);
        Snapshot.MatchAll(sources.Where(s => s.HintName.Contains("OpenRpc", StringComparison.Ordinal)).ToDictionary(s => s.HintName, s => s.SourceText.ToString()),
            "OpenRpc_document");
    }

    [Fact]
    public void Documentation_is_read_whether_or_not_the_compiler_parses_it()
    {
        // The SDK parses documentation comments only when a documentation file is generated.
        (string parsed, Compilation parsedOutput) = Generate(DocumentationMode.Parse);
        (string none, Compilation noneOutput) = Generate(DocumentationMode.None);
        GeneratorHarness.AssertClean(parsedOutput);
        GeneratorHarness.AssertClean(noneOutput);
        Assert.Contains("Finds items by query.", parsed, StringComparison.Ordinal);
        Assert.Equal(parsed, none);
    }

    [Fact]
    public void Methods_parameters_schemas_errors_and_notifications_are_described()
    {
        using JsonDocument document = JsonDocument.Parse(Generate(DocumentationMode.Parse).Document);
        JsonElement root = document.RootElement;
        Assert.Equal("1.3.2", root.GetProperty("openrpc").GetString());
        Assert.Equal("Demo.Shop.ShopService", root.GetProperty("info").GetProperty("title").GetString());
        Assert.Equal("The shop's catalogue.\n\nEvery price is in euros.", root.GetProperty("info").GetProperty("description").GetString());

        Dictionary<string, JsonElement> methods = root.GetProperty("methods").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal(["buy", "by_tag", "categories", "find_items", "record"], methods.Keys.Order(StringComparer.Ordinal));

        JsonElement find = methods["find_items"];
        Assert.Equal("either", find.GetProperty("paramStructure").GetString());
        Assert.Equal("Finds items by query.", find.GetProperty("description").GetString());
        JsonElement[] findParams = [.. find.GetProperty("params").EnumerateArray()];
        Assert.Equal(["query", "limit"], findParams.Select(p => p.GetProperty("name").GetString()));
        Assert.True(findParams[0].GetProperty("required").GetBoolean());
        Assert.False(findParams[1].GetProperty("required").GetBoolean());
        Assert.Equal(10, findParams[1].GetProperty("schema").GetProperty("default").GetInt32());
        Assert.Equal("At most this many; see Item.", findParams[1].GetProperty("description").GetString());
        Assert.Equal("The items found, best first.", find.GetProperty("result").GetProperty("description").GetString());
        Assert.Equal("#/components/schemas/Item", find.GetProperty("result").GetProperty("schema").GetProperty("items").GetProperty("$ref").GetString());
        JsonElement error = Assert.Single(find.GetProperty("errors").EnumerateArray());
        Assert.Equal(4004, error.GetProperty("code").GetInt32());
        Assert.Equal("Not found", error.GetProperty("message").GetString());

        JsonElement buy = methods["buy"];
        Assert.Equal(["item_id", "size", "colour"], buy.GetProperty("params").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("null", buy.GetProperty("result").GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal([4001, 4004], buy.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetInt32()));

        JsonElement record = methods["record"];
        Assert.True(record.GetProperty("x-notification").GetBoolean());
        Assert.False(record.TryGetProperty("result", out _));
        Assert.Equal("Records an event; nothing is answered.", record.GetProperty("description").GetString());
        Assert.Equal("What happened.", record.GetProperty("params")[0].GetProperty("description").GetString());

        JsonElement byTag = methods["by_tag"];
        JsonElement[] byTagParams = [.. byTag.GetProperty("params").EnumerateArray()];
        Assert.True(byTagParams[0].GetProperty("schema").GetProperty("uniqueItems").GetBoolean());
        Assert.True(byTagParams[1].GetProperty("x-params-array").GetBoolean());
        Assert.False(byTagParams[1].GetProperty("required").GetBoolean());
        JsonElement values = byTag.GetProperty("result").GetProperty("schema").GetProperty("additionalProperties");
        Assert.Equal("#/components/schemas/Item", values.GetProperty("oneOf")[0].GetProperty("$ref").GetString());
        Assert.Equal("null", values.GetProperty("oneOf")[1].GetProperty("type").GetString());

        JsonElement schemas = root.GetProperty("components").GetProperty("schemas");
        JsonElement item = schemas.GetProperty("Item");
        Assert.Equal(["item_id", "Title", "Price", "Tags", "Colour", "Size"], item.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal("""["number","null"]""", item.GetProperty("properties").GetProperty("Price").GetProperty("type").GetRawText().Replace(" ", "").Replace("\n", ""));
        Assert.Equal(["Red", "Green"], schemas.GetProperty("Colour").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([1, 2], schemas.GetProperty("Size").GetProperty("enum").EnumerateArray().Select(e => e.GetInt32()));

        JsonElement category = schemas.GetProperty("Category");
        Assert.Equal(["Name"], category.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["Name", "Children", "Parent"], category.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal("#/components/schemas/Category", category.GetProperty("properties").GetProperty("Children").GetProperty("items").GetProperty("$ref").GetString());
    }
}

/// <summary>Every generated document of the snapshots, validated by python3-jsonschema against the OpenRPC meta-schema.</summary>
public class OpenRpcMetaSchemaTests
{
    [Fact]
    public async Task Every_snapshot_document_is_valid_OpenRPC()
    {
        string snapshots = Path.Combine(AppContext.BaseDirectory, "Snapshots");
        string[] sources = Directory.GetFiles(snapshots, "*.OpenRpc.g.cs.verified.cs", SearchOption.AllDirectories);
        Assert.True(sources.Length >= 9, $"only {sources.Length} documents under {snapshots}");

        // A document that breaks the meta-schema must be refused, or the check proves nothing.
        string directory = Directory.CreateTempSubdirectory("openrpc").FullName;
        try
        {
            var documents = new List<string>();
            foreach (string source in sources)
            {
                string text = File.ReadAllText(source).Replace("\r\n", "\n");
                int start = text.IndexOf("\"\"\"\n", StringComparison.Ordinal) + 4;
                int end = text.LastIndexOf("\"\"\"", StringComparison.Ordinal);
                string path = Path.Combine(directory, Path.GetFileName(source) + ".json");
                File.WriteAllText(path, text[start..end]);
                documents.Add(path);
            }

            string broken = Path.Combine(directory, "broken.json");
            File.WriteAllText(broken, """{"openrpc":"1.3.2","info":{"title":"x","version":"1"},"methods":[{"name":"m","params":[],"paramStructure":"any"}]}""");

            (int exitCode, string output) = await RunPythonAsync([.. documents]);
            Assert.True(exitCode == 0, output);
            Assert.Equal(documents.Count, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith(": ok", StringComparison.Ordinal)));

            (exitCode, output) = await RunPythonAsync([broken]);
            Assert.Equal(1, exitCode);
            Assert.Contains("paramStructure", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunPythonAsync(string[] documents)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", "validate_openrpc.py"));
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "openrpc", "openrpc-meta-schema.json"));
        foreach (string document in documents)
        {
            start.ArgumentList.Add(document);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
