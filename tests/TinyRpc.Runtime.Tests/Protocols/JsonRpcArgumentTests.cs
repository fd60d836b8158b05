using System.Text.Json;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>Positional and named parameters, decoded on demand into the type the method asks for.</summary>
public class JsonRpcArgumentTests
{
    private static readonly JsonRpcProtocol Rpc = new(new JsonRpcProtocolOptions { SerializerOptions = TestJsonContext.Default.Options });

    private const string PositionalValues = """
        [7, 9223372036854775807, 1.5, true, "text", null, [1, 2, 3], [4, 5], {"a": 1, "b": 2},
         {"name": "Ada", "age": 36, "tags": ["x", "y"]}, "é\"\\\n\ud83d\ude00", -0.0, 1e2, false, {}, []]
        """;

    private const string NamedValues = """
        {"i": 7, "l": 9223372036854775807, "d": 1.5, "b": true, "s": "text", "n": null, "arr": [1, 2, 3],
         "list": [4, 5], "dict": {"a": 1, "b": 2}, "person": {"name": "Ada", "age": 36, "tags": ["x", "y"]},
         "esc": "é\"\\\n\ud83d\ude00", "negzero": -0.0, "exp": 1e2, "f": false, "empty": {}, "none": []}
        """;

    private static RpcArguments Parse(string parameters, JsonRpcProtocol? rpc = null)
        => ((RpcRequest)(rpc ?? Rpc).ParseRequest(JsonAssert.Utf8($$"""{"jsonrpc": "2.0", "method": "m", "params": {{parameters}}, "id": 1}"""))).Arguments;

    private static T Get<T>(RpcArguments args, int index, string name)
    {
        Assert.True(args.TryGet(index, name, args.IsNamed, out T value), $"parameter {index} '{name}' is missing");
        return value;
    }

    public static TheoryData<string> Shapes => [PositionalValues, NamedValues];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Decodes_primitive_values(string parameters)
    {
        RpcArguments args = Parse(parameters);

        Assert.Equal(16, args.Count);
        Assert.Equal(7, Get<int>(args, 0, "i"));
        Assert.Equal(7L, Get<long>(args, 0, "i"));
        Assert.Equal(7.0, Get<double>(args, 0, "i"));
        Assert.Equal(long.MaxValue, Get<long>(args, 1, "l"));
        Assert.Equal(1.5, Get<double>(args, 2, "d"));
        Assert.Equal(1.5m, Get<decimal>(args, 2, "d"));
        Assert.True(Get<bool>(args, 3, "b"));
        Assert.False(Get<bool>(args, 13, "f"));
        Assert.Equal("text", Get<string>(args, 4, "s"));
        Assert.Equal("é\"\\\n\U0001F600", Get<string>(args, 10, "esc"));
        Assert.Equal(0.0, Get<double>(args, 11, "negzero"));
        Assert.Equal(100.0, Get<double>(args, 12, "exp"));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Decodes_null(string parameters)
    {
        RpcArguments args = Parse(parameters);

        Assert.Null(Get<string?>(args, 5, "n"));
        Assert.Null(Get<int?>(args, 5, "n"));
        Assert.Null(Get<Person?>(args, 5, "n"));
        Assert.Null(Get<List<int>?>(args, 5, "n"));
        Assert.Equal(JsonValueKind.Null, Get<JsonElement>(args, 5, "n").ValueKind);
        Assert.Equal(7, Get<int?>(args, 0, "i"));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Decodes_collections(string parameters)
    {
        RpcArguments args = Parse(parameters);

        Assert.Equal([1, 2, 3], Get<int[]>(args, 6, "arr"));
        Assert.Equal([1L, 2L, 3L], Get<long[]>(args, 6, "arr"));
        Assert.Equal(new List<int> { 4, 5 }, Get<List<int>>(args, 7, "list"));
        Assert.Equal(new List<double> { 4, 5 }, Get<List<double>>(args, 7, "list"));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, Get<Dictionary<string, int>>(args, 8, "dict"));
        Assert.Empty(Get<Dictionary<string, int>>(args, 14, "empty"));
        Assert.Empty(Get<List<string>>(args, 15, "none"));
        Assert.Equal(JsonValueKind.Object, Get<JsonElement>(args, 9, "person").ValueKind);
        Assert.Equal(2, Get<Dictionary<string, object>>(args, 8, "dict").Count);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Decodes_a_user_record_through_the_serializer_context(string parameters)
    {
        RpcArguments args = Parse(parameters);

        Person person = Get<Person>(args, 9, "person");

        Assert.Equal("Ada", person.Name);
        Assert.Equal(36, person.Age);
        Assert.Equal(["x", "y"], person.Tags);
    }

    [Fact]
    public void Decodes_a_user_record_with_only_the_context_as_resolver()
    {
        var rpc = new JsonRpcProtocol(new JsonSerializerOptions { TypeInfoResolver = TestJsonContext.Default, PropertyNameCaseInsensitive = true });

        var people = Get<List<Person>>(Parse("""[[{"Name": "Ada", "Age": 36, "Tags": []}, {"name": "Bob", "age": 1, "tags": ["t"]}]]""", rpc), 0, "people");

        Assert.Equal(2, people.Count);
        Assert.Equal("Bob", people[1].Name);
        Assert.Equal(["t"], people[1].Tags);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Is_null_tells_null_values(string parameters)
    {
        RpcArguments args = Parse(parameters);

        Assert.True(args.IsNull(5));
        Assert.False(args.IsNull(0));
        Assert.False(args.IsNull(4));
        Assert.False(args.IsNull(13));
        Assert.Throws<ArgumentOutOfRangeException>(() => args.IsNull(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => args.IsNull(-1));
    }

    [Fact]
    public void Positional_parameters_have_no_names()
    {
        RpcArguments args = Parse(PositionalValues);

        Assert.False(args.IsNamed);
        Assert.False(args.Contains("i"));
        Assert.False(args.TryGet("i", out int _));
        Assert.Throws<InvalidOperationException>(() => args.GetName(0));
    }

    [Fact]
    public void Named_parameters_keep_their_names_in_order()
    {
        RpcArguments args = Parse(NamedValues);

        Assert.True(args.IsNamed);
        Assert.Equal("i", args.GetName(0));
        Assert.Equal("none", args.GetName(15));
        Assert.True(args.Contains("person"));
        Assert.False(args.Contains("Person"));
        Assert.False(args.Contains("x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => args.GetName(16));

        // named parameters are not reachable by position
        Assert.False(args.TryGet(0, "i", out int _));
    }

    [Fact]
    public void Escaped_parameter_names_are_unescaped()
    {
        RpcArguments args = Parse("""{"\u0061b": 1, "c\"d": 2}""");

        Assert.True(args.TryGet("ab", out int ab));
        Assert.Equal(1, ab);
        Assert.True(args.TryGet("c\"d", out int cd));
        Assert.Equal(2, cd);
        Assert.Equal("c\"d", args.GetName(1));
    }

    [Fact]
    public void Missing_index_or_name_is_reported_as_false()
    {
        RpcArguments positional = Parse("[1, 2]");
        RpcArguments named = Parse("""{"a": 1}""");

        Assert.False(positional.TryGet(2, "c", out int missing));
        Assert.Equal(0, missing);
        Assert.False(positional.TryGet(-1, "z", out int _));
        Assert.False(named.TryGet("b", out string? missingName));
        Assert.Null(missingName);
        Assert.False(named.TryGet(1, "b", true, out int _));
        Assert.False(positional.TryGet(5, "f", false, out int _));
    }

    [Theory]
    [InlineData("""{"jsonrpc": "2.0", "method": "m", "id": 1}""", false)]
    [InlineData("""{"jsonrpc": "2.0", "method": "m", "params": [], "id": 1}""", false)]
    [InlineData("""{"jsonrpc": "2.0", "method": "m", "params": {}, "id": 1}""", true)]
    public void Absent_or_empty_parameters_have_none(string request, bool named)
    {
        RpcArguments args = ((RpcRequest)Rpc.ParseRequest(JsonAssert.Utf8(request))).Arguments;

        Assert.Equal(0, args.Count);
        Assert.Equal(named, args.IsNamed);
        Assert.False(args.TryGet(0, "a", out int _));
        Assert.False(args.TryGet("a", out int _));
        Assert.False(args.Contains("a"));
    }

    [Fact]
    public void Empty_arguments_have_nothing()
    {
        RpcArguments args = RpcArguments.Empty;

        Assert.False(args.IsNamed);
        Assert.Equal(0, args.Count);
        Assert.False(args.TryGet(0, "a", out int _));
        Assert.False(args.TryGet("a", out int _));
        Assert.False(args.Contains("a"));
        Assert.Throws<ArgumentOutOfRangeException>(() => args.GetName(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => args.IsNull(0));
    }

    public static TheoryData<string, string> WrongTypes => new()
    {
        { "int from a string", "text" },
        { "int from a fraction", "fraction" },
        { "int from a too large number", "huge" },
        { "int from null", "nothing" },
        { "int from a boolean", "flag" },
        { "int from an array", "list" },
        { "bool from a number", "number" },
        { "string from a number", "number" },
        { "string from an object", "object" },
        { "double from a string", "text" },
        { "long from a fraction", "fraction" },
        { "List<int> from an object", "object" },
        { "List<int> with a string member", "mixed" },
        { "Dictionary<string,int> from an array", "list" },
        { "Dictionary<string,int> with a string value", "badDict" },
        { "Person from a string", "text" },
        { "Person with a wrong member type", "badPerson" },
        { "byte out of range", "number" },
    };

    private const string WrongTypeValues = """
        ["abc", 1.5, 1e30, null, true, [1, 2], 300, {"a": 1}, [1, "x"], {"a": "x"}, {"name": "Ada", "age": "old", "tags": []}]
        """;

    private static readonly string[] WrongTypeNames = ["text", "fraction", "huge", "nothing", "flag", "list", "number", "object", "mixed", "badDict", "badPerson"];

    private static void ReadWrongType(RpcArguments args, string example, string name)
    {
        int i = Array.IndexOf(WrongTypeNames, name);
        switch (example)
        {
            case var e when e.StartsWith("int ", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out int _); break;
            case var e when e.StartsWith("bool ", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out bool _); break;
            case var e when e.StartsWith("string ", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out string _); break;
            case var e when e.StartsWith("double ", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out double _); break;
            case var e when e.StartsWith("long ", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out long _); break;
            case var e when e.StartsWith("List<int> ", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out List<int> _); break;
            case var e when e.StartsWith("Dictionary", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out Dictionary<string, int> _); break;
            case var e when e.StartsWith("Person ", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out Person _); break;
            case var e when e.StartsWith("byte ", StringComparison.Ordinal): args.TryGet(i, name, args.IsNamed, out byte _); break;
            default: throw new ArgumentException(example);
        }
    }

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void Wrong_type_is_invalid_params_naming_the_positional_parameter(string example, string name)
    {
        RpcArguments args = Parse(WrongTypeValues);

        InvalidParamsException e = Assert.Throws<InvalidParamsException>(() => ReadWrongType(args, example, name));

        Assert.Equal(RpcErrorCodes.InvalidParams, e.Code);
        Assert.Equal(name, e.ParameterName);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void Wrong_type_is_invalid_params_naming_the_named_parameter(string example, string name)
    {
        using JsonDocument values = JsonDocument.Parse(WrongTypeValues);
        string named = "{" + string.Join(", ", WrongTypeNames.Select((n, i) => $"\"{n}\": {values.RootElement[i].GetRawText()}")) + "}";
        RpcArguments args = Parse(named);

        InvalidParamsException e = Assert.Throws<InvalidParamsException>(() => ReadWrongType(args, example, name));

        Assert.Equal(RpcErrorCodes.InvalidParams, e.Code);
        Assert.Equal(name, e.ParameterName);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_type_reaches_the_client_as_an_invalid_params_error()
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(),
            """{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": "42", "subtrahend": 23}, "id": 1}""");

        var error = Assert.IsAssignableFrom<RpcErrorResponse>(new JsonRpcProtocol().ParseReply(reply!.Value));
        Assert.Equal(RpcErrorCodes.InvalidParams, error.Code);
        Assert.Contains("'minuend'", error.Message, StringComparison.Ordinal);
        Assert.Equal(RpcId.FromNumber(1), error.Id);
    }

    [Fact]
    public void Missing_parameter_reaches_the_client_as_an_invalid_params_error()
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(),
            """{"jsonrpc": "2.0", "method": "subtract", "params": [42], "id": 1}""");

        var error = Assert.IsAssignableFrom<RpcErrorResponse>(new JsonRpcProtocol().ParseReply(reply!.Value));
        Assert.Equal(RpcErrorCodes.InvalidParams, error.Code);
        Assert.Contains("'subtrahend'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_can_be_read_more_than_once_and_in_any_order()
    {
        RpcArguments args = Parse("""[1, "two", [3]]""");

        Assert.Equal([3], Get<int[]>(args, 2, "c"));
        Assert.Equal("two", Get<string>(args, 1, "b"));
        Assert.Equal(1, Get<int>(args, 0, "a"));
        Assert.Equal(1, Get<int>(args, 0, "a"));
        Assert.Equal(1.0, Get<double>(args, 0, "a"));
    }

    [Fact]
    public void Parameter_is_read_as_raw_json()
    {
        RpcArguments args = Parse("""[{"deep": [1, {"x": null}]}]""");

        JsonElement element = Get<JsonElement>(args, 0, "a");

        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse("""{"deep": [1, {"x": null}]}""").RootElement, element));
    }

    [Theory]
    [InlineData("2147483647", 2147483647)]
    [InlineData("-2147483648", -2147483648)]
    [InlineData("-0", 0)]
    [InlineData("0", 0)]
    public void Integers_are_read_exactly(string json, int expected)
    {
        Assert.Equal(expected, Get<int>(Parse($"[{json}]"), 0, "a"));
        Assert.Equal(expected, Get<long>(Parse($"[{json}]"), 0, "a"));
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("1.0")]
    [InlineData("1e2")]
    [InlineData("1.5")]
    [InlineData("\"7\"")]
    [InlineData("true")]
    [InlineData("[7]")]
    public void What_is_not_an_int_is_invalid_params(string json)
    {
        RpcArguments args = Parse($"[{json}]");
        InvalidParamsException e = Assert.Throws<InvalidParamsException>(() => args.TryGet(0, "count", out int _));
        Assert.Contains("count", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("\"\"", "")]
    [InlineData("\"tab\\there\"", "tab\there")]
    [InlineData("\"back\\\\slash\"", "back\\slash")]
    [InlineData("\"quote\\\"inside\"", "quote\"inside")]
    [InlineData("\"\\u00e9t\\u00e9\"", "été")]
    [InlineData("\"été 😀\"", "été 😀")]
    [InlineData("null", null)]
    public void Strings_are_read_with_and_without_escapes(string json, string? expected)
    {
        Assert.Equal(expected, Get<string?>(Parse($"[{json}]"), 0, "a"));
        Assert.Equal(expected, Get<string?>(Parse($$"""{"a": {{json}}}"""), 0, "a"));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("[\"x\"]")]
    [InlineData("{}")]
    public void What_is_not_a_string_is_invalid_params(string json)
    {
        RpcArguments args = Parse($"[{json}]");
        Assert.Throws<InvalidParamsException>(() => args.TryGet(0, "text", out string _));
    }

    [Fact]
    public void Serializer_options_changed_after_the_protocol_was_made_do_not_reach_it()
    {
        var options = new JsonSerializerOptions(TestJsonContext.Default.Options) { MaxDepth = 3 };
        var rpc = new JsonRpcProtocol(new JsonRpcProtocolOptions { SerializerOptions = options });
        options.MaxDepth = 100;
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseUpper;

        RpcArguments args = Parse("[[[[[1]]]], [[1]]]", rpc);
        Assert.Throws<InvalidParamsException>(() => args.TryGet(0, "deep", out JsonElement _));
        Assert.Equal(JsonValueKind.Array, Get<JsonElement>(args, 1, "shallow").ValueKind);
        Assert.Equal(3, rpc.SerializerOptions.MaxDepth);
        Assert.Same(TestJsonContext.Default.Options.PropertyNamingPolicy, rpc.SerializerOptions.PropertyNamingPolicy);
    }

    [Fact]
    public async Task User_serializer_options_set_up_by_many_threads_at_once_work_for_all()
    {
        for (int round = 0; round < 40; round++)
        {
            var rpc = new JsonRpcProtocol(new JsonRpcProtocolOptions { SerializerOptions = new JsonSerializerOptions(TestJsonContext.Default.Options) });
            RpcArguments args = Parse("""[{"name": "Ada", "age": 36, "tags": ["x"]}]""", rpc);
            using var start = new Barrier(8);
            Task<Person>[] readers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait(TimeSpan.FromSeconds(30));
                return Get<Person>(args, 0, "person");
            })).ToArray();
            foreach (Person person in await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30)))
            {
                Assert.Equal("Ada", person.Name);
            }
        }
    }
}
