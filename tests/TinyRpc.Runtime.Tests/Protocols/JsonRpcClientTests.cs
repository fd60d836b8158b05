using System.Text;
using System.Text.Json;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>The client side of the protocol: building requests, parsing replies, raising errors.</summary>
public class JsonRpcClientTests
{
    private static JsonRpcProtocol NewProtocol() => new(new JsonRpcProtocolOptions { SerializerOptions = TestJsonContext.Default.Options });

    [Fact]
    public void Builder_writes_positional_parameters()
    {
        RpcRequest request = NewProtocol().CreateRequestBuilder("subtract").Add(42).Add(23).Build();

        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}""", request.Serialize());
        Assert.Equal(RpcId.FromNumber(1), request.Id);
        Assert.Equal("subtract", request.Method);
        Assert.False(request.OneWay);
    }

    [Fact]
    public void Builder_writes_named_parameters()
    {
        RpcRequest request = NewProtocol().CreateRequestBuilder("subtract").Add("minuend", 42).Add("subtrahend", 23).Build();

        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 1}""", request.Serialize());
    }

    [Fact]
    public void Builder_without_parameters_leaves_params_out()
    {
        RpcRequest request = NewProtocol().CreateRequestBuilder("get_data").Build();

        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "get_data", "id": 1}""", request.Serialize());
        Assert.Equal(0, request.Arguments.Count);
    }

    [Fact]
    public void One_way_request_has_no_id()
    {
        var rpc = NewProtocol();
        RpcRequest request = rpc.CreateRequestBuilder("update", oneWay: true).Add(1).Add(2).Build();

        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "update", "params": [1, 2]}""", request.Serialize());
        Assert.True(request.OneWay);
        Assert.True(request.Id.IsNone);
        Assert.Equal(1, rpc.NextId()); // a notification uses up no id
        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "foobar"}""", rpc.CreateRequestBuilder("foobar", true).Build().Serialize());
    }

    [Fact]
    public void Builder_writes_values_of_every_kind()
    {
        RpcRequest request = NewProtocol().CreateRequestBuilder("m")
            .Add("s").Add<string?>(null).Add(1.5).Add(true).Add(long.MinValue).Add(new[] { 1, 2 })
            .Add(new List<string> { "a" }).Add(new Dictionary<string, int> { ["k"] = 3 })
            .Add(new Person("Ada", 36, ["x"])).Add(JsonDocument.Parse("""{"e": [null]}""").RootElement)
            .Add<object?>(7).Add<object?>(new Person("Bob", 1, [])).Add('c').Add(2.5m)
            .Build();

        JsonAssert.Equal(
            """
            {"jsonrpc": "2.0", "method": "m", "id": 1, "params": [
              "s", null, 1.5, true, -9223372036854775808, [1, 2], ["a"], {"k": 3},
              {"name": "Ada", "age": 36, "tags": ["x"]}, {"e": [null]}, 7, {"name": "Bob", "age": 1, "tags": []}, "c", 2.5
            ]}
            """,
            request.Serialize());
    }

    [Theory]
    [InlineData("subtract")]
    [InlineData("")]
    [InlineData("foo.get")]
    [InlineData("rpc.discover")]
    [InlineData("a\"b\\c")]
    [InlineData("héllo ✓ 𝄞")]
    [InlineData("tab\there\nnewline")]
    [InlineData("<script>&amp;'")]
    public void Method_name_is_written_and_read_back_exactly(string method)
    {
        var rpc = NewProtocol();

        RpcRequest request = rpc.CreateRequestBuilder(method).Add(1).Build();
        RpcRequest notification = rpc.CreateRequestBuilder(method, oneWay: true).Build();

        foreach (RpcRequest r in new[] { request, notification })
        {
            Assert.Equal(method, r.Method);
            Assert.Equal(Encoding.UTF8.GetBytes(method), r.MethodUtf8.ToArray());
            Assert.Equal(method, (string?)JsonAssert.Parse(r.Serialize())!["method"]);
            var parsed = (RpcRequest)rpc.ParseRequest(r.Serialize());
            Assert.Equal(method, parsed.Method);
            Assert.True(parsed.MethodUtf8.IsEmpty || parsed.MethodUtf8.SequenceEqual(Encoding.UTF8.GetBytes(method)));
        }
    }

    [Fact]
    public void Parsed_method_is_available_as_utf8()
    {
        var request = (RpcRequest)NewProtocol().ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "sub\u0074ract", "id": 1}"""));

        Assert.Equal("subtract", request.Method);
        Assert.Equal("subtract"u8.ToArray(), request.MethodUtf8.ToArray());
    }

    [Fact]
    public void Builder_refuses_to_mix_positional_and_named_parameters()
    {
        var rpc = NewProtocol();

        JsonRpcInvalidRequestException first = Assert.Throws<JsonRpcInvalidRequestException>(() => rpc.CreateRequestBuilder("m").Add(1).Add("b", 2));
        JsonRpcInvalidRequestException second = Assert.Throws<JsonRpcInvalidRequestException>(() => rpc.CreateRequestBuilder("m").Add("a", 1).Add(2));

        Assert.Equal(RpcErrorCodes.InvalidRequest, first.Code);
        Assert.IsAssignableFrom<InvalidRequestException>(second);
    }

    [Fact]
    public void Builder_cannot_be_used_after_build_or_failure()
    {
        var rpc = NewProtocol();
        RpcRequestBuilder built = rpc.CreateRequestBuilder("m").Add(1);
        built.Build();
        RpcRequestBuilder failed = rpc.CreateRequestBuilder("m").Add(1);
        Assert.Throws<JsonRpcInvalidRequestException>(() => failed.Add("x", 2));

        Assert.Throws<InvalidOperationException>(() => built.Add(2));
        Assert.Throws<InvalidOperationException>(() => built.Build());
        Assert.Throws<InvalidOperationException>(() => failed.Build());
        Assert.Throws<ArgumentNullException>(() => rpc.CreateRequestBuilder(null!));
        Assert.Throws<ArgumentNullException>(() => rpc.CreateRequestBuilder("m").Add<int>(null!, 1));
    }

    [Fact]
    public void Built_request_arguments_can_be_read_back()
    {
        RpcRequest positional = NewProtocol().CreateRequestBuilder("m").Add(42).Add("x").Build();
        RpcRequest named = NewProtocol().CreateRequestBuilder("m").Add("a", 42).Add("b", new Person("Ada", 1, [])).Build();

        Assert.Equal(2, positional.Arguments.Count);
        Assert.True(positional.Arguments.TryGet(0, "a", out int a));
        Assert.Equal(42, a);
        Assert.True(positional.Arguments.TryGet(1, "b", out string? b));
        Assert.Equal("x", b);
        Assert.True(named.Arguments.IsNamed);
        Assert.True(named.Arguments.TryGet("b", out Person? person));
        Assert.Equal("Ada", person!.Name);
    }

    [Fact]
    public void Create_request_takes_positional_or_keyword_arguments()
    {
        var rpc = NewProtocol();

        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "m", "params": [1, "x", null, 1.5, true, [1, 2], {"name": "Ada", "age": 2, "tags": []}], "id": 1}""",
            rpc.CreateRequest("m", [1, "x", null, 1.5, true, new List<int> { 1, 2 }, new Person("Ada", 2, [])]).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "m", "params": {"a": 1, "b": null}, "id": 2}""",
            rpc.CreateRequest("m", kwargs: new Dictionary<string, object?> { ["a"] = 1, ["b"] = null }).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "m", "id": 3}""", rpc.CreateRequest("m").Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "m", "params": [1], "id": 4}""", rpc.CreateRequest("m", [1], []).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "m", "params": {"a": 1}, "id": 5}""", rpc.CreateRequest("m", [], [new("a", 1)]).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "m", "id": 6}""", rpc.CreateRequest("m", [], []).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "m", "params": [1]}""", rpc.CreateRequest("m", [1], oneWay: true).Serialize());
    }

    [Fact]
    public void Create_request_refuses_both_positional_and_keyword_arguments()
    {
        var rpc = NewProtocol();

        JsonRpcInvalidRequestException e = Assert.Throws<JsonRpcInvalidRequestException>(
            () => rpc.CreateRequest("m", [1], new Dictionary<string, object?> { ["a"] = 2 }));

        Assert.Equal(RpcErrorCodes.InvalidRequest, e.Code);
    }

    [Fact]
    public void Batch_request_serializes_its_requests_in_order()
    {
        var rpc = NewProtocol();
        RpcRequest a = rpc.CreateRequest("sum", [1, 2, 4]);
        RpcRequest b = rpc.CreateRequest("notify_hello", [7], oneWay: true);
        RpcRequest c = rpc.CreateRequestBuilder("subtract").Add("minuend", 42).Add("subtrahend", 23).Build();

        RpcBatchRequest batch = rpc.CreateBatchRequest([a, b, c]);

        Assert.Equal(3, batch.Count);
        Assert.All(batch, static item => Assert.True(item.IsValid));
        Assert.Same(b, batch[1].Request);
        JsonAssert.Equal(
            """
            [
              {"jsonrpc": "2.0", "method": "sum", "params": [1, 2, 4], "id": 1},
              {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
              {"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 2}
            ]
            """,
            batch.Serialize());
    }

    [Fact]
    public void Parses_a_success_reply()
    {
        var response = Assert.IsType<JsonRpcSuccessResponse>(NewProtocol().ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "result": 19, "id": 1}""")));

        Assert.False(response.IsError);
        Assert.Equal(RpcId.FromNumber(1), response.Id);
        Assert.Equal(19, response.GetResult<int>());
        Assert.Equal(19L, response.GetResult<long>());
        Assert.Equal(19.0, response.GetResult<double>());
        Assert.Equal(19, response.GetResult<int?>());
        Assert.Equal(19, response.GetResult<JsonElement>().GetInt32());
        Assert.Equal("19", JsonAssert.Text(response.RawResult));
    }

    [Theory]
    [InlineData("""{"jsonrpc": "2.0", "result": {"name": "Ada", "age": 36, "tags": ["a"]}, "id": "x"}""")]
    [InlineData("""{"id": "x", "result": {"tags": ["a"], "age": 36, "name": "Ada"}, "jsonrpc": "2.0"}""")]
    [InlineData("""{"id": "x", "result": {"tags": ["a"], "age": 36, "name": "Ada"}, "extra": [1, {"y": 2}], "jsonrpc": "2.0"}""")]
    [InlineData(" \n{ \"jsonrpc\" : \"2.0\" , \"result\" : { \"name\" : \"Ada\" , \"age\" : 36 , \"tags\" : [ \"a\" ] } , \"id\" : \"x\" }\n ")]
    public void Parses_a_success_reply_with_a_user_type_in_any_layout(string reply)
    {
        var response = (RpcResponse)NewProtocol().ParseReply(JsonAssert.Utf8(reply));

        Person person = response.GetResult<Person>();
        Assert.Equal("Ada", person.Name);
        Assert.Equal(36, person.Age);
        Assert.Equal(["a"], person.Tags);
        Assert.Equal(RpcId.FromString("x"), response.Id);
    }

    [Fact]
    public void Parses_a_null_result()
    {
        var response = (RpcResponse)NewProtocol().ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "result": null, "id": 1}"""));

        Assert.False(response.IsError);
        Assert.Null(response.GetResult<string?>());
        Assert.Null(response.GetResult<int?>());
        Assert.Null(response.GetResult<Person?>());
    }

    [Theory]
    [InlineData("19", "string")]
    [InlineData("\"x\"", "int")]
    [InlineData("null", "int")]
    [InlineData("1.5", "int")]
    [InlineData("1e40", "long")]
    [InlineData("1", "bool")]
    [InlineData("[1]", "person")]
    [InlineData("{\"a\": 1}", "list")]
    [InlineData("[\"x\"]", "list")]
    [InlineData("{\"name\": \"Ada\", \"age\": \"old\", \"tags\": []}", "person")]
    [InlineData("300", "byte")]
    public void Result_of_the_wrong_type_is_an_invalid_reply(string result, string type)
    {
        var response = (RpcResponse)NewProtocol().ParseReply(JsonAssert.Utf8($$"""{"jsonrpc": "2.0", "result": {{result}}, "id": 1}"""));

        Action read = type switch
        {
            "string" => () => response.GetResult<string>(),
            "int" => () => response.GetResult<int>(),
            "long" => () => response.GetResult<long>(),
            "bool" => () => response.GetResult<bool>(),
            "person" => () => response.GetResult<Person>(),
            "list" => () => response.GetResult<List<int>>(),
            "byte" => () => response.GetResult<byte>(),
            _ => throw new ArgumentException(type),
        };

        Assert.Throws<InvalidReplyException>(read);
    }

    [Fact]
    public void Parses_an_error_reply_without_data()
    {
        var error = Assert.IsType<JsonRpcErrorResponse>(NewProtocol().ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}""")));

        Assert.True(error.IsError);
        Assert.Equal(-32601, error.Code);
        Assert.Equal("Method not found", error.Message);
        Assert.Equal(RpcId.FromString("1"), error.Id);
        Assert.False(error.HasData);
        Assert.Null(error.GetData<string>());
        Assert.Null(error.GetData<Dictionary<string, object>>());
        Assert.True(error.RawData.IsEmpty);
    }

    private const string ErrorWithData = """{"jsonrpc": "2.0", "id": 7, "error": {"code": -32000, "message": "error message", "data": {"msg": "structured data", "lst": [1, 2, 3]}}}""";

    [Fact]
    public void Parses_an_error_reply_with_data()
    {
        var error = Assert.IsAssignableFrom<RpcErrorResponse>(NewProtocol().ParseReply(JsonAssert.Utf8(ErrorWithData)));

        Assert.Equal(-32000, error.Code);
        Assert.Equal("error message", error.Message);
        Assert.True(error.HasData);
        Dictionary<string, object> data = error.GetData<Dictionary<string, object>>()!;
        Assert.Equal("structured data", ((JsonElement)data["msg"]).GetString());
        Assert.Equal([1, 2, 3], ((JsonElement)data["lst"]).EnumerateArray().Select(static e => e.GetInt32()));
        Assert.Equal(JsonValueKind.Object, error.GetData<JsonElement>().ValueKind);
        Assert.Throws<InvalidReplyException>(() => error.GetData<int>());
        Assert.Throws<InvalidReplyException>(() => error.GetData<List<int>>());
    }

    [Theory]
    [InlineData("""{"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}}""", -32700, "Parse error")]
    [InlineData("""{"error": {"data": null, "message": "m", "code": 5, "extra": {"x": [1]}}, "id": 1, "jsonrpc": "2.0", "more": true}""", 5, "m")]
    [InlineData("""{"jsonrpc": "2.0", "id": 1, "error": {"code": 2147483647, "message": ""}}""", int.MaxValue, "")]
    [InlineData("""{"jsonrpc": "2.0", "id": 1, "error": {"code": -2147483648, "message": "é\n\"q\""}}""", int.MinValue, "é\n\"q\"")]
    public void Parses_error_replies_in_any_layout(string reply, int code, string message)
    {
        var error = (RpcErrorResponse)NewProtocol().ParseReply(JsonAssert.Utf8(reply));

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Error_with_null_data_has_data()
    {
        // "data": null is a data member with the value null, not an absent one
        var error = (RpcErrorResponse)NewProtocol().ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "id": 1, "error": {"code": 1, "message": "m", "data": null}}"""));

        Assert.True(error.HasData);
        Assert.Null(error.GetData<string>());
        Assert.Equal(JsonValueKind.Null, error.GetData<JsonElement>().ValueKind);
    }

    [Fact]
    public void Raise_error_throws_a_json_rpc_exception_with_code_message_and_data()
    {
        var rpc = NewProtocol();
        var error = (RpcErrorResponse)rpc.ParseReply(JsonAssert.Utf8(ErrorWithData));

        JsonRpcException e = Assert.Throws<JsonRpcException>(() => rpc.RaiseError(error));

        Assert.Equal(-32000, e.Code);
        Assert.Equal("error message", e.Message);
        Assert.True(e.HasData);
        Assert.Equal(RpcId.FromNumber(7), e.RequestId);
        var element = Assert.IsType<JsonElement>(e.ErrorData);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse("""{"msg": "structured data", "lst": [1, 2, 3]}""").RootElement, element));
        Dictionary<string, object> data = e.GetData<Dictionary<string, object>>()!;
        Assert.Equal(["lst", "msg"], data.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("structured data", ((JsonElement)data["msg"]).GetString());
        Assert.True(JsonElement.DeepEquals(element, e.GetData<JsonElement>()));
        JsonAssert.Equal("""{"msg": "structured data", "lst": [1, 2, 3]}""", e.RawData);
        Assert.IsAssignableFrom<RpcException>(e);
    }

    [Fact]
    public void Raise_error_returns_the_exception_when_errors_are_not_raised()
    {
        var rpc = NewProtocol();
        rpc.RaisesErrors = false;
        var error = (RpcErrorResponse)rpc.ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "id": 3, "error": {"code": 99, "message": "Ah, that's cheating", "data": "rotator"}}"""));

        RpcException returned = rpc.RaiseError(error);

        var e = Assert.IsType<JsonRpcException>(returned);
        Assert.Equal(99, e.Code);
        Assert.Equal("Ah, that's cheating", e.Message);
        Assert.Equal("rotator", e.GetData<string>());
        Assert.Equal("rotator", ((JsonElement)e.ErrorData!).GetString());
        Assert.True(new JsonRpcProtocol().RaisesErrors);
        Assert.Throws<ArgumentNullException>(() => rpc.RaiseError(null!));
    }

    [Fact]
    public void Raised_error_without_data_has_none()
    {
        var rpc = NewProtocol();
        var error = (RpcErrorResponse)rpc.ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "id": 3, "error": {"code": -32601, "message": "Method not found"}}"""));

        JsonRpcException e = Assert.Throws<JsonRpcException>(() => rpc.RaiseError(error));

        Assert.False(e.HasData);
        Assert.Null(e.ErrorData);
        Assert.Null(e.GetData<string>());
        Assert.True(e.RawData.IsEmpty);
    }

    [Fact]
    public void Get_result_of_an_error_reply_throws_the_error()
    {
        var error = (RpcResponse)NewProtocol().ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "id": 3, "error": {"code": 12, "message": "nope"}}"""));

        JsonRpcException e = Assert.Throws<JsonRpcException>(() => error.GetResult<int>());

        Assert.Equal(12, e.Code);
        Assert.Equal("nope", e.Message);
    }

    [Fact]
    public void Parses_a_batch_reply()
    {
        const string reply = """
            [
                {"jsonrpc": "2.0", "result": 7, "id": "1"},
                {"jsonrpc": "2.0", "result": 19, "id": "2"},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
                {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
            ]
            """;

        var batch = Assert.IsType<JsonRpcBatchResponse>(NewProtocol().ParseReply(JsonAssert.Utf8(reply)));

        Assert.Equal(5, batch.Count);
        Assert.Equal([RpcId.FromString("1"), RpcId.FromString("2"), RpcId.Null, RpcId.FromString("5"), RpcId.FromString("9")], batch.Select(static r => r.Id));
        Assert.Equal([false, false, true, true, false], batch.Select(static r => r.IsError));
        Assert.Equal(7, batch[0].GetResult<int>());
        Assert.Equal(19, batch[1].GetResult<int>());
        Assert.Equal(-32600, ((RpcErrorResponse)batch[2]).Code);
        Assert.Equal(-32601, ((RpcErrorResponse)batch[3]).Code);
        Assert.Equal(["hello", "5"], batch[4].GetResult<JsonElement>().EnumerateArray().Select(static e => e.ToString()));
        JsonAssert.Equal(reply, batch.Serialize());
    }

    [Fact]
    public void Parses_a_batch_reply_of_one()
    {
        var batch = Assert.IsAssignableFrom<RpcBatchResponse>(NewProtocol().ParseReply(JsonAssert.Utf8("""[{"jsonrpc": "2.0", "result": 1, "id": 1}]""")));

        Assert.Single(batch);
    }

    public static TheoryData<string, string> InvalidReplies => new()
    {
        { "empty", "" },
        { "whitespace", "  \n" },
        { "truncated", """{"jsonrpc": "2.0", "result": 1""" },
        { "truncated error", """{"jsonrpc": "2.0", "error": {"code": 1, "message": "m""" },
        { "not JSON", "hello" },
        { "garbage bytes", "<FF><00><FE>" },
        { "invalid UTF-8 in a string result", """{"jsonrpc": "2.0", "result": "<C3>", "id": 1}""" },
        { "invalid UTF-8 in a message", """{"jsonrpc": "2.0", "error": {"code": 1, "message": "<ED><A0><80>"}, "id": 1}""" },
        { "trailing garbage", """{"jsonrpc": "2.0", "result": 1, "id": 1} x""" },
        { "two replies", """{"jsonrpc": "2.0", "result": 1, "id": 1}{"jsonrpc": "2.0", "result": 1, "id": 2}""" },
        { "comment", """/* c */ {"jsonrpc": "2.0", "result": 1, "id": 1}""" },
        { "trailing comma", """{"jsonrpc": "2.0", "result": 1, "id": 1,}""" },
        { "NaN result", """{"jsonrpc": "2.0", "result": NaN, "id": 1}""" },
        { "a number", "1" },
        { "a string", "\"x\"" },
        { "null", "null" },
        { "true", "true" },
        { "missing jsonrpc", """{"result": 1, "id": 1}""" },
        { "jsonrpc 1.0", """{"jsonrpc": "1.0", "result": 1, "id": 1}""" },
        { "jsonrpc a number", """{"jsonrpc": 2.0, "result": 1, "id": 1}""" },
        { "jsonrpc null", """{"jsonrpc": null, "result": 1, "id": 1}""" },
        { "both result and error", """{"jsonrpc": "2.0", "result": 1, "error": {"code": 1, "message": "m"}, "id": 1}""" },
        { "result and a null error", """{"jsonrpc": "2.0", "result": 1, "error": null, "id": 1}""" },
        { "neither result nor error", """{"jsonrpc": "2.0", "id": 1}""" },
        { "empty object", "{}" },
        { "missing id", """{"jsonrpc": "2.0", "result": 1}""" },
        { "missing id in an error", """{"jsonrpc": "2.0", "error": {"code": 1, "message": "m"}}""" },
        { "id an object", """{"jsonrpc": "2.0", "result": 1, "id": {"a": 1}}""" },
        { "id an array", """{"jsonrpc": "2.0", "result": 1, "id": [1]}""" },
        { "id a boolean", """{"jsonrpc": "2.0", "result": 1, "id": true}""" },
        { "error without code", """{"jsonrpc": "2.0", "error": {"message": "m"}, "id": 1}""" },
        { "error without message", """{"jsonrpc": "2.0", "error": {"code": 1}, "id": 1}""" },
        { "error empty", """{"jsonrpc": "2.0", "error": {}, "id": 1}""" },
        { "code a string", """{"jsonrpc": "2.0", "error": {"code": "1", "message": "m"}, "id": 1}""" },
        { "code a fraction", """{"jsonrpc": "2.0", "error": {"code": 1.5, "message": "m"}, "id": 1}""" },
        { "code too large", """{"jsonrpc": "2.0", "error": {"code": 99999999999, "message": "m"}, "id": 1}""" },
        { "code null", """{"jsonrpc": "2.0", "error": {"code": null, "message": "m"}, "id": 1}""" },
        { "message a number", """{"jsonrpc": "2.0", "error": {"code": 1, "message": 5}, "id": 1}""" },
        { "message null", """{"jsonrpc": "2.0", "error": {"code": 1, "message": null}, "id": 1}""" },
        { "error a string", """{"jsonrpc": "2.0", "error": "boom", "id": 1}""" },
        { "error an array", """{"jsonrpc": "2.0", "error": [1, "m"], "id": 1}""" },
        { "error null", """{"jsonrpc": "2.0", "error": null, "id": 1}""" },
        { "empty batch", "[]" },
        { "batch of a number", "[1]" },
        { "batch with a non-object member", """[{"jsonrpc": "2.0", "result": 1, "id": 1}, 2]""" },
        { "batch with an invalid member", """[{"jsonrpc": "2.0", "result": 1, "id": 1}, {"jsonrpc": "2.0", "id": 2}]""" },
        { "nested batch", """[[{"jsonrpc": "2.0", "result": 1, "id": 1}]]""" },
        { "too deep", """{"jsonrpc": "2.0", "result": """ + new string('[', 100) + new string(']', 100) + """, "id": 1}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidReplies))]
    public void Invalid_reply_throws_invalid_reply_exception(string example, string reply)
    {
        InvalidReplyException e = Assert.Throws<InvalidReplyException>(() => NewProtocol().ParseReply(JsonAssert.WithRawBytes(reply)));

        Assert.False(string.IsNullOrEmpty(e.Message), example);
        Assert.IsAssignableFrom<BadReplyException>(e);
    }
}
