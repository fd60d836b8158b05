using System.Text;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>
/// Malformed requests of every kind, each answered by the <see cref="ExampleServer"/> with the right
/// error: Parse error (-32700, id null) for anything that is not valid JSON, Invalid Request (-32600)
/// for valid JSON that is not a valid request, carrying the request's id when it could be read.
/// In the inputs, <c>&lt;XX&gt;</c> is the raw byte 0xXX.
/// </summary>
public class JsonRpcMalformedRequestTests
{
    private const string ParseErrorReply = """{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}""";
    private const string InvalidRequestReply = """{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}""";

    private static string InvalidRequestWithId(string id) => $$"""{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": {{id}}}""";

    public static TheoryData<string, string> NotJson => new()
    {
        { "empty message", "" },
        { "only whitespace", " \r\n\t " },
        { "truncated object", """{"jsonrpc": "2.0", "method": "m", "id": 1""" },
        { "truncated string", """{"jsonrpc": "2.0", "method": "m""" },
        { "truncated after member name", """{"jsonrpc": "2.0", "method""" },
        { "truncated batch", """[{"jsonrpc": "2.0", "method": "m", "id": 1}""" },
        { "trailing garbage", """{"jsonrpc": "2.0", "method": "m", "id": 1} x""" },
        { "two objects", """{"jsonrpc": "2.0", "method": "m", "id": 1}{"jsonrpc": "2.0", "method": "m", "id": 2}""" },
        { "trailing comma in object", """{"jsonrpc": "2.0", "method": "m", "id": 1,}""" },
        { "trailing comma in params", """{"jsonrpc": "2.0", "method": "m", "params": [1,], "id": 1}""" },
        { "single quotes", """{'jsonrpc': '2.0', 'method': 'm', 'id': 1}""" },
        { "unquoted member name", """{jsonrpc: "2.0", "method": "m", "id": 1}""" },
        { "NaN literal", """{"jsonrpc": "2.0", "method": "m", "params": [NaN], "id": 1}""" },
        { "Infinity literal", """{"jsonrpc": "2.0", "method": "m", "params": [-Infinity], "id": 1}""" },
        { "leading zero", """{"jsonrpc": "2.0", "method": "m", "id": 01}""" },
        { "hex number", """{"jsonrpc": "2.0", "method": "m", "id": 0x1}""" },
        { "unescaped control character", "{\"jsonrpc\": \"2.0\", \"method\": \"a\u0001b\", \"id\": 1}" },
        { "invalid escape", """{"jsonrpc": "2.0", "method": "a\qb", "id": 1}""" },
        { "block comment", """/* hello */ {"jsonrpc": "2.0", "method": "m", "id": 1}""" },
        { "line comment", "{\"jsonrpc\": \"2.0\", \"method\": \"m\", // hello\n \"id\": 1}" },
        { "garbage bytes", "<FF><FE><00><01>" },
        { "NUL byte after the message", """{"jsonrpc": "2.0", "method": "m", "id": 1}<00>""" },
        { "UTF-16 encoded message", "<FF><FE>{<00>}<00>" },
        { "plain text", "hello" },
        { "UTF-8 byte order mark followed by garbage", "<EF><BB><BF>x" },
        { "invalid UTF-8 in method", """{"jsonrpc": "2.0", "method": "a<FF>b", "id": 1}""" },
        { "invalid UTF-8 in string id", """{"jsonrpc": "2.0", "method": "m", "id": "a<FF>"}""" },
        { "invalid UTF-8 in a string parameter", """{"jsonrpc": "2.0", "method": "m", "params": ["<C3>"], "id": 1}""" },
        { "invalid UTF-8 in a parameter name", """{"jsonrpc": "2.0", "method": "m", "params": {"<FF>": 1}, "id": 1}""" },
        { "invalid UTF-8 in a member name", """{"jsonrpc": "2.0", "method": "m", "<FF>": 1, "id": 1}""" },
        { "overlong UTF-8 encoding", """{"jsonrpc": "2.0", "method": "<C0><AF>", "id": 1}""" },
        { "UTF-8 encoded surrogate", """{"jsonrpc": "2.0", "method": "<ED><A0><80>", "id": 1}""" },
        { "lone continuation byte in a batch member", """[{"jsonrpc": "2.0", "method": "<80>", "id": 1}]""" },
        { "invalid JSON in the last batch member", """[{"jsonrpc": "2.0", "method": "m", "id": 1}, {"jsonrpc": "2.0", "method"]""" },
        { "invalid JSON after an invalid batch member", """[1, {"jsonrpc": "2.0", "method": "m", "id": 1}, {]""" },
    };

    [Theory]
    [MemberData(nameof(NotJson))]
    public void Invalid_json_gets_a_parse_error_with_a_null_id(string example, string input)
    {
        var rpc = new JsonRpcProtocol();
        byte[] data = JsonAssert.WithRawBytes(input);

        JsonRpcParseException e = Assert.Throws<JsonRpcParseException>(() => rpc.ParseRequest(data));
        Assert.Equal(RpcErrorCodes.ParseError, e.Code);

        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(rpc, data);
        Assert.True(reply.HasValue, example);
        JsonAssert.EqualIgnoringDetail(ParseErrorReply, reply.Value);
    }

    public static TheoryData<string, string, string> NotARequest => new()
    {
        // not an object
        { "number", """1""", InvalidRequestReply },
        { "string", "\"subtract\"", InvalidRequestReply },
        { "null", """null""", InvalidRequestReply },
        { "true", """true""", InvalidRequestReply },

        // jsonrpc
        { "jsonrpc 1.0", """{"jsonrpc": "1.0", "method": "m", "id": 1}""", InvalidRequestWithId("1") },
        { "jsonrpc as a number", """{"jsonrpc": 2.0, "method": "m", "id": 1}""", InvalidRequestWithId("1") },
        { "jsonrpc null", """{"jsonrpc": null, "method": "m", "id": 1}""", InvalidRequestWithId("1") },
        { "jsonrpc 2.00", """{"jsonrpc": "2.00", "method": "m", "id": 1}""", InvalidRequestWithId("1") },
        { "jsonrpc missing", """{"method": "m", "id": 1}""", InvalidRequestWithId("1") },
        { "jsonrpc missing, notification", """{"method": "m"}""", InvalidRequestReply },

        // method
        { "method a number", """{"jsonrpc": "2.0", "method": 1, "id": 2}""", InvalidRequestWithId("2") },
        { "method null", """{"jsonrpc": "2.0", "method": null, "id": 2}""", InvalidRequestWithId("2") },
        { "method an object", """{"jsonrpc": "2.0", "method": {"name": "m"}, "id": 2}""", InvalidRequestWithId("2") },
        { "method an array", """{"jsonrpc": "2.0", "method": ["m"], "id": 2}""", InvalidRequestWithId("2") },
        { "method a boolean", """{"jsonrpc": "2.0", "method": true, "id": 2}""", InvalidRequestWithId("2") },
        { "method missing", """{"jsonrpc": "2.0", "params": [1], "id": 2}""", InvalidRequestWithId("2") },
        { "method missing, notification", """{"jsonrpc": "2.0", "params": [1]}""", InvalidRequestReply },
        { "empty object", """{}""", InvalidRequestReply },

        // params
        { "params a string", """{"jsonrpc": "2.0", "method": "m", "params": "bar", "id": "x"}""", InvalidRequestWithId("\"x\"") },
        { "params a number", """{"jsonrpc": "2.0", "method": "m", "params": 42, "id": "x"}""", InvalidRequestWithId("\"x\"") },
        { "params true", """{"jsonrpc": "2.0", "method": "m", "params": true, "id": "x"}""", InvalidRequestWithId("\"x\"") },
        { "params a string, notification", """{"jsonrpc": "2.0", "method": "m", "params": "bar"}""", InvalidRequestReply },

        // id
        { "id an object", """{"jsonrpc": "2.0", "method": "m", "id": {"a": 1}}""", InvalidRequestReply },
        { "id an array", """{"jsonrpc": "2.0", "method": "m", "id": [1]}""", InvalidRequestReply },
        { "id true", """{"jsonrpc": "2.0", "method": "m", "id": true}""", InvalidRequestReply },
        { "id false", """{"jsonrpc": "2.0", "method": "m", "id": false}""", InvalidRequestReply },

        // members
        { "unknown member", """{"jsonrpc": "2.0", "method": "m", "id": 3, "extra": 0}""", InvalidRequestWithId("3") },
        { "unknown member first", """{"foo": {"deep": [1, 2]}, "jsonrpc": "2.0", "method": "m", "id": 3}""", InvalidRequestWithId("3") },
        { "member name in another case", """{"jsonrpc": "2.0", "Method": "m", "id": 3}""", InvalidRequestWithId("3") },
        { "duplicate jsonrpc", """{"jsonrpc": "2.0", "jsonrpc": "2.0", "method": "m", "id": 3}""", InvalidRequestWithId("3") },
        { "duplicate method", """{"jsonrpc": "2.0", "method": "a", "method": "b", "id": 3}""", InvalidRequestWithId("3") },
        { "duplicate params", """{"jsonrpc": "2.0", "method": "m", "params": [1], "params": [2], "id": 3}""", InvalidRequestWithId("3") },
        { "duplicate named parameter", """{"jsonrpc": "2.0", "method": "m", "params": {"a": 1, "b": 2, "a": 3}, "id": 3}""", InvalidRequestWithId("3") },
        { "duplicate named parameter, escaped", """{"jsonrpc": "2.0", "method": "m", "params": {"a": 1, "\u0061": 3}, "id": 3}""", InvalidRequestWithId("3") },

        // the id is read wherever it stands
        { "id before the error", """{"id": 4, "jsonrpc": "2.0", "method": 1}""", InvalidRequestWithId("4") },
        { "id after the error", """{"jsonrpc": "2.0", "method": 1, "params": "bar", "id": 4}""", InvalidRequestWithId("4") },
        { "string id", """{"jsonrpc": "1.0", "method": "m", "id": "abc"}""", InvalidRequestWithId("\"abc\"") },
        { "null id", """{"jsonrpc": "1.0", "method": "m", "id": null}""", InvalidRequestReply },
    };

    [Theory]
    [MemberData(nameof(NotARequest))]
    public void Valid_json_that_is_not_a_request_gets_an_invalid_request_error(string example, string input, string expectedReply)
    {
        var rpc = new JsonRpcProtocol();
        byte[] data = JsonAssert.Utf8(input);

        JsonRpcInvalidRequestException e = Assert.Throws<JsonRpcInvalidRequestException>(() => rpc.ParseRequest(data));
        Assert.Equal(RpcErrorCodes.InvalidRequest, e.Code);

        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(rpc, data);
        Assert.True(reply.HasValue, example);
        JsonAssert.EqualIgnoringDetail(expectedReply, reply.Value);
    }

    [Fact]
    public void Duplicate_id_is_an_invalid_request_answered_with_a_null_id()
    {
        // The id cannot be told for sure, and the specification says: "If there was an error in
        // detecting the id in the Request object (e.g. Parse error/Invalid Request), it MUST be Null."
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(), """{"jsonrpc": "2.0", "method": "m", "id": 1, "id": 2}""");

        JsonAssert.EqualIgnoringDetail(InvalidRequestReply, reply!.Value);
    }

    [Fact]
    public void Invalid_request_error_carries_a_detail_as_data()
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(), """{"jsonrpc": "2.0", "method": 1, "id": 1}""");

        var error = Assert.IsAssignableFrom<RpcErrorResponse>(new JsonRpcProtocol().ParseReply(reply!.Value));
        Assert.True(error.HasData);
        Assert.Contains("method", error.GetData<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Named_parameters_beyond_sixteen_are_checked_for_duplicates_too()
    {
        var rpc = new JsonRpcProtocol();
        string Params(IEnumerable<string> names) => """{"jsonrpc": "2.0", "method": "m", "params": {""" + string.Join(", ", names.Select(static (n, i) => $"\"{n}\": {i}")) + """}, "id": 5}""";
        string[] distinct = Enumerable.Range(0, 40).Select(static i => "p" + i).ToArray();

        var ok = (RpcRequest)rpc.ParseRequest(JsonAssert.Utf8(Params(distinct)));
        Assert.Equal(40, ok.Arguments.Count);
        Assert.True(ok.Arguments.TryGet("p39", out int last));
        Assert.Equal(39, last);

        foreach ((int first, int again) in new[] { (0, 1), (3, 15), (3, 16), (3, 30), (20, 35), (15, 16) })
        {
            string[] names = (string[])distinct.Clone();
            names[again] = names[first];
            JsonRpcInvalidRequestException e = Assert.Throws<JsonRpcInvalidRequestException>(() => rpc.ParseRequest(JsonAssert.Utf8(Params(names))));
            Assert.Equal(RpcId.FromNumber(5), e.RequestId);
        }
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    [Fact]
    public void Nesting_up_to_max_depth_is_accepted_and_deeper_nesting_is_a_parse_error()
    {
        var rpc = new JsonRpcProtocol(new JsonRpcProtocolOptions { MaxDepth = 8 });

        // The request object is level 1 and its params array level 2: six more levels fit.
        string fits = $$"""{"jsonrpc": "2.0", "method": "m", "params": [{{Nested(6)}}], "id": 1}""";
        string tooDeep = $$"""{"jsonrpc": "2.0", "method": "m", "params": [{{Nested(7)}}], "id": 1}""";
        string tooDeepInBatch = $$"""[{"jsonrpc": "2.0", "method": "m", "params": [{{Nested(6)}}], "id": 1}]""";

        Assert.IsAssignableFrom<RpcRequest>(rpc.ParseRequest(JsonAssert.Utf8(fits)));
        Assert.Throws<JsonRpcParseException>(() => rpc.ParseRequest(JsonAssert.Utf8(tooDeep)));
        Assert.Throws<JsonRpcParseException>(() => rpc.ParseRequest(JsonAssert.Utf8(tooDeepInBatch)));
        JsonAssert.EqualIgnoringDetail(ParseErrorReply, ExampleServer.HandleIncomingMessage(rpc, tooDeep)!.Value);
    }

    [Theory]
    [InlineData(65)]
    [InlineData(100_000)]
    public void Very_deep_nesting_is_a_parse_error_and_nothing_else(int depth)
    {
        var rpc = new JsonRpcProtocol(new JsonRpcProtocolOptions { MaxDepth = 64 });
        string[] inputs =
        [
            Nested(depth),
            new string('[', depth),
            string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
            $$"""{"jsonrpc": "2.0", "method": "m", "params": [{{Nested(depth)}}], "id": 1}""",
            $$"""{"jsonrpc": "2.0", "method": "m", "params": {"x": {{Nested(depth)}}}, "id": 1}""",
            $$"""{"jsonrpc": "2.0", "method": "m", "id": 1, "extra": {{Nested(depth)}}}""",
        ];

        foreach (string input in inputs)
        {
            // HandleIncomingMessage catches BadRequestException only: anything else fails here.
            ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(rpc, input);
            JsonAssert.EqualIgnoringDetail(ParseErrorReply, reply!.Value);
        }
    }

    [Fact]
    public void Batch_longer_than_max_batch_length_gets_one_invalid_request_error()
    {
        var rpc = new JsonRpcProtocol(new JsonRpcProtocolOptions { MaxBatchLength = 3 });
        string Batch(int n) => "[" + string.Join(",", Enumerable.Range(1, n).Select(static i => $$"""{"jsonrpc": "2.0", "method": "sum", "params": [{{i}}], "id": {{i}}}""")) + "]";

        ReadOnlyMemory<byte>? atLimit = ExampleServer.HandleIncomingMessage(rpc, Batch(3));
        JsonAssert.EqualBatchIgnoringDetail(
            """[{"jsonrpc": "2.0", "result": 1, "id": 1}, {"jsonrpc": "2.0", "result": 2, "id": 2}, {"jsonrpc": "2.0", "result": 3, "id": 3}]""",
            atLimit!.Value);

        Assert.Throws<JsonRpcInvalidRequestException>(() => rpc.ParseRequest(JsonAssert.Utf8(Batch(4))));
        JsonAssert.EqualIgnoringDetail(InvalidRequestReply, ExampleServer.HandleIncomingMessage(rpc, Batch(4))!.Value);
        JsonAssert.EqualIgnoringDetail(InvalidRequestReply, ExampleServer.HandleIncomingMessage(rpc, Batch(5000))!.Value);
        JsonAssert.EqualIgnoringDetail(InvalidRequestReply, ExampleServer.HandleIncomingMessage(rpc, "[1,2,3,4]")!.Value);
    }

    [Fact]
    public void Batch_longer_than_max_batch_length_with_invalid_json_is_a_parse_error()
    {
        var rpc = new JsonRpcProtocol(new JsonRpcProtocolOptions { MaxBatchLength = 2 });

        JsonAssert.EqualIgnoringDetail(ParseErrorReply, ExampleServer.HandleIncomingMessage(rpc, "[1, 2, 3, {]")!.Value);
    }

    [Fact]
    public void Batch_with_invalid_members_answers_each_member_in_order_and_skips_notifications()
    {
        const string request = """
            [
                {"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1},
                1,
                {"jsonrpc": "2.0", "method": 1, "id": 3},
                {"jsonrpc": "2.0", "method": "update", "params": [1]},
                {"jsonrpc": "2.0", "method": "update", "params": "bar"},
                [{"jsonrpc": "2.0", "method": "subtract", "params": [1, 1], "id": 6}],
                {"jsonrpc": "1.0", "method": "subtract", "params": [1, 1], "id": "seven"},
                {"jsonrpc": "2.0", "method": "foobar"},
                {"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 5, "subtrahend": 3}, "id": 9},
                null,
                {"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": "5"}, "id": 11}
            ]
            """;
        const string expected = """
            [
                {"jsonrpc": "2.0", "result": 19, "id": 1},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": 3},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": "seven"},
                {"jsonrpc": "2.0", "result": 2, "id": 9},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
            ]
            """;
        var rpc = new JsonRpcProtocol();

        ReadOnlyMemory<byte> reply = ExampleServer.HandleIncomingMessage(rpc, request)!.Value;

        // the last member is valid but its parameter has the wrong type: compare it on its own
        var replies = Assert.IsAssignableFrom<RpcBatchResponse>(rpc.ParseReply(reply));
        Assert.Equal(9, replies.Count);
        var invalidParams = Assert.IsAssignableFrom<RpcErrorResponse>(replies[8]);
        Assert.Equal(RpcErrorCodes.InvalidParams, invalidParams.Code);
        Assert.Equal(RpcId.FromNumber(11), invalidParams.Id);
        Assert.Contains("minuend", invalidParams.Message, StringComparison.Ordinal);

        string firstEight = "[" + string.Join(",", replies.Take(8).Select(static r => JsonAssert.Text(r.Serialize()))) + "]";
        JsonAssert.EqualBatchIgnoringDetail(expected, Encoding.UTF8.GetBytes(firstEight));
    }

    [Fact]
    public void Batch_of_only_invalid_notifications_still_gets_error_replies()
    {
        // Members that are not valid requests are never notifications: each gets its error.
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(),
            """[{"jsonrpc": "2.0", "method": 1}, {"method": "m"}]""");

        JsonAssert.EqualBatchIgnoringDetail($"[{InvalidRequestReply}, {InvalidRequestReply}]", reply!.Value);
    }

    [Fact]
    public void Nested_empty_batch_is_one_invalid_member()
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(), "[[]]");

        JsonAssert.EqualBatchIgnoringDetail($"[{InvalidRequestReply}]", reply!.Value);
    }

    [Fact]
    public void Bad_request_exception_error_respond_uses_the_request_id()
    {
        var rpc = new JsonRpcProtocol();

        JsonRpcInvalidRequestException e = Assert.Throws<JsonRpcInvalidRequestException>(
            () => rpc.ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": 1, "id": "r-1"}""")));

        Assert.Equal(RpcId.FromString("r-1"), e.RequestId);
        RpcErrorResponse reply = rpc.ErrorRespond(e);
        Assert.Equal(RpcId.FromString("r-1"), reply.Id);
        Assert.Equal(RpcErrorCodes.InvalidRequest, reply.Code);
        Assert.Equal("Invalid Request", reply.Message);
    }

    [Fact]
    public void Parse_error_has_a_null_request_id()
    {
        JsonRpcParseException e = Assert.Throws<JsonRpcParseException>(() => new JsonRpcProtocol().ParseRequest(JsonAssert.Utf8("""{"id": 1, """)));

        Assert.Equal(RpcId.Null, e.RequestId);
        Assert.Equal(RpcId.Null, new JsonRpcProtocol().ErrorRespond(e).Id);
        Assert.Equal("Parse error", new JsonRpcProtocol().ErrorRespond(e).Message);
    }

    [Fact]
    public void Whitespace_around_a_valid_request_is_allowed()
    {
        var request = (RpcRequest)new JsonRpcProtocol().ParseRequest(JsonAssert.Utf8(" \r\n\t{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": 1}\n "));

        Assert.Equal("m", request.Method);
    }
}
