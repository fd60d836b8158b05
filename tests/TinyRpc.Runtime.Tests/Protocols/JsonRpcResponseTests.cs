using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>Success and error responses made by the server side of the protocol.</summary>
public class JsonRpcResponseTests
{
    private static readonly JsonRpcProtocol Rpc = new(new JsonRpcProtocolOptions { SerializerOptions = TestJsonContext.Default.Options });

    private static RpcRequest Request(string id = "1", JsonRpcProtocol? rpc = null)
        => (RpcRequest)(rpc ?? Rpc).ParseRequest(JsonAssert.Utf8($$"""{"jsonrpc": "2.0", "method": "m", "params": [], "id": {{id}}}"""));

    private static RpcRequest Notification()
        => (RpcRequest)Rpc.ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "m"}"""));

    private static void AssertResult(string expectedResult, RpcResponse? response)
    {
        Assert.NotNull(response);
        Assert.False(response.IsError);
        JsonAssert.Equal($$"""{"jsonrpc": "2.0", "id": 1, "result": {{expectedResult}}}""", response.Serialize());
    }

    [Fact]
    public void Responds_with_primitive_results()
    {
        AssertResult("\"text\"", Request().Respond("text"));
        AssertResult("42", Request().Respond(42));
        AssertResult("-7", Request().Respond(-7L));
        AssertResult("9223372036854775807", Request().Respond(long.MaxValue));
        AssertResult("1.5", Request().Respond(1.5));
        AssertResult("0.1", Request().Respond(0.1));
        AssertResult("2.5", Request().Respond(2.5f));
        AssertResult("1.10", Request().Respond(1.10m));
        AssertResult("true", Request().Respond(true));
        AssertResult("false", Request().Respond(false));
        AssertResult("\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\"", Request().Respond("a\"b\\c\né\U0001F600"));
        AssertResult("\"x\"", Request().Respond('x'));
        AssertResult("255", Request().Respond((byte)255));
        AssertResult("\"00000000-0000-0000-0000-000000000001\"", Request().Respond(new Guid("00000000-0000-0000-0000-000000000001")));
    }

    [Fact]
    public void Double_results_survive_exactly()
    {
        foreach (double value in new[] { 0.1, 1.0 / 3, double.MaxValue, double.Epsilon, -1e-300, 123456789.123456789 })
        {
            RpcResponse response = Request().Respond(value)!;
            Assert.Equal(value, response.GetResult<double>());
            Assert.Equal(value, ((RpcResponse)Rpc.ParseReply(response.Serialize())).GetResult<double>());
        }
    }

    [Fact]
    public void Responds_with_null_results()
    {
        AssertResult("null", Request().Respond<string?>(null));
        AssertResult("null", Request().Respond<object?>(null));
        AssertResult("null", Request().Respond<int?>(null));
        AssertResult("null", Request().Respond<Person?>(null));
        AssertResult("null", Request().Respond<List<int>?>(null));
    }

    [Fact]
    public void Respond_without_a_value_writes_a_null_result()
    {
        RpcResponse response = Request().Respond()!;

        AssertResult("null", response);
        Assert.True(JsonAssert.HasMember(response.Serialize(), "result"));
        Assert.False(JsonAssert.HasMember(response.Serialize(), "error"));
    }

    [Fact]
    public void Responds_with_arrays_and_objects()
    {
        AssertResult("[1, 2, 3]", Request().Respond(new[] { 1, 2, 3 }));
        AssertResult("[]", Request().Respond(Array.Empty<string>()));
        AssertResult("[\"a\", \"b\"]", Request().Respond(new List<string> { "a", "b" }));
        AssertResult("""{"a": 1, "b": 2}""", Request().Respond(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }));
        AssertResult("""["hello", 5, null, true, 1.5, [1, 2]]""", Request().Respond(new object?[] { "hello", 5, null, true, 1.5, new List<int> { 1, 2 } }));
        AssertResult("""{"k": [1, {"x": null}]}""", Request().Respond(JsonDocument.Parse("""{"k": [1, {"x": null}]}""").RootElement));
        AssertResult("""{"n": [true]}""", Request().Respond(new JsonObject { ["n"] = new JsonArray(true) }));
        AssertResult("""{"n": [true]}""", Request().Respond<object>(new JsonObject { ["n"] = new JsonArray(true) }));
    }

    [Fact]
    public void Responds_with_a_user_type_through_the_serializer_context()
    {
        AssertResult("""{"name": "Ada", "age": 36, "tags": ["x"]}""", Request().Respond(new Person("Ada", 36, ["x"])));
        AssertResult("""[{"name": "Bob", "age": 1, "tags": []}]""", Request().Respond(new List<Person> { new("Bob", 1, []) }));
        AssertResult("""{"name": "Ada", "age": 36, "tags": ["x"]}""", Request().Respond<object>(new Person("Ada", 36, ["x"])));
    }

    [Fact]
    public void Success_response_has_exactly_jsonrpc_id_and_result()
    {
        RpcResponse response = Request("\"abc\"").Respond(new[] { 1 })!;

        var message = (JsonObject)JsonAssert.Parse(response.Serialize())!;
        Assert.Equal(["id", "jsonrpc", "result"], message.Select(static m => m.Key).Order(StringComparer.Ordinal));
        Assert.Equal("2.0", (string?)message["jsonrpc"]);
        Assert.Equal(RpcId.FromString("abc"), response.Id);
        Assert.Equal([1], response.GetResult<int[]>());
        Assert.True(JsonNode.DeepEquals(new JsonArray(1), JsonNode.Parse(((JsonRpcSuccessResponse)response).RawResult.Span)));
    }

    [Fact]
    public void Notification_gets_no_response()
    {
        Assert.Null(Notification().Respond(42));
        Assert.Null(Notification().Respond());
        Assert.Null(Notification().ErrorRespond(new InvalidOperationException("x")));
        Assert.Null(Notification().ErrorRespond(new PalindromeException("x")));
    }

    public static TheoryData<string> NonFiniteResults =>
    [
        "double NaN", "double +Infinity", "double -Infinity", "float NaN", "float Infinity",
        "boxed double NaN", "nullable double NaN", "double[] with NaN", "List<double> with Infinity",
        "Dictionary<string, double> with NaN", "object[] with NaN", "record with NaN", "JsonNode with NaN",
    ];

    private static RpcResponse? RespondNonFinite(RpcRequest request, string example) => example switch
    {
        "double NaN" => request.Respond(double.NaN),
        "double +Infinity" => request.Respond(double.PositiveInfinity),
        "double -Infinity" => request.Respond(double.NegativeInfinity),
        "float NaN" => request.Respond(float.NaN),
        "float Infinity" => request.Respond(float.PositiveInfinity),
        "boxed double NaN" => request.Respond<object>(double.NaN),
        "nullable double NaN" => request.Respond<double?>(double.NaN),
        "double[] with NaN" => request.Respond(new[] { 1.0, double.NaN }),
        "List<double> with Infinity" => request.Respond(new List<double> { double.PositiveInfinity }),
        "Dictionary<string, double> with NaN" => request.Respond(new Dictionary<string, double> { ["x"] = double.NaN }),
        "object[] with NaN" => request.Respond(new object[] { "a", double.NaN }),
        "record with NaN" => request.Respond(new Measurement("m", double.NaN)),
        "JsonNode with NaN" => request.Respond(new JsonArray(JsonValue.Create(double.NaN))),
        _ => throw new ArgumentException(example),
    };

    [Theory]
    [MemberData(nameof(NonFiniteResults))]
    public void NaN_and_infinity_results_throw_and_are_never_written(string example)
    {
        RpcRequest request = Request();

        Assert.ThrowsAny<Exception>(() => RespondNonFinite(request, example));

        // the failure leaves nothing behind: the next response on this thread is intact
        AssertResult("[1, 2]", request.Respond(new[] { 1, 2 }));
    }

    [Theory]
    [MemberData(nameof(NonFiniteResults))]
    public void NaN_and_infinity_results_throw_even_when_the_options_allow_named_literals(string example)
    {
        var permissive = new JsonRpcProtocol(new JsonSerializerOptions(NamedFloatingPointLiteralsContext.Default.Options)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(NamedFloatingPointLiteralsContext.Default, TestJsonContext.Default),
        });
        Assert.True(NamedFloatingPointLiteralsContext.Default.Options.NumberHandling.HasFlag(JsonNumberHandling.AllowNamedFloatingPointLiterals));
        RpcRequest request = Request(rpc: permissive);

        Assert.ThrowsAny<Exception>(() => RespondNonFinite(request, example));
    }

    [Fact]
    public void NaN_in_a_request_parameter_throws_and_the_next_request_is_intact()
    {
        RpcRequestBuilder builder = Rpc.CreateRequestBuilder("m").Add(1);

        Assert.ThrowsAny<Exception>(() => builder.Add(double.NaN));
        Assert.ThrowsAny<Exception>(() => Rpc.CreateRequest("m", [double.PositiveInfinity]));

        RpcRequest next = Rpc.CreateRequestBuilder("n").Add(2).Build();
        var message = (JsonObject)JsonAssert.Parse(next.Serialize())!;
        Assert.Equal("n", (string?)message["method"]);
        Assert.True(JsonNode.DeepEquals(new JsonArray(2), message["params"]));
    }

    private static void AssertError(string expectedError, RpcErrorResponse? response, string id = "1")
    {
        Assert.NotNull(response);
        Assert.True(response.IsError);
        JsonAssert.Equal($$"""{"jsonrpc": "2.0", "id": {{id}}, "error": {{expectedError}}}""", response.Serialize());
    }

    private sealed class CustomException(object? data) : RpcException(-32050, "custom failure", data);

    [Fact]
    public void Rpc_exception_keeps_code_message_and_data()
    {
        AssertError("""{"code": 42, "message": "answer", "data": "details"}""", Request().ErrorRespond(new RpcException(42, "answer", "details")));
        AssertError("""{"code": 42, "message": "answer", "data": 7}""", Request().ErrorRespond(new RpcException(42, "answer", 7)));
        AssertError("""{"code": 42, "message": "answer", "data": [1, 2]}""", Request().ErrorRespond(new RpcException(42, "answer", new List<int> { 1, 2 })));
        AssertError("""{"code": 42, "message": "answer", "data": {"name": "Ada", "age": 1, "tags": []}}""", Request().ErrorRespond(new RpcException(42, "answer", new Person("Ada", 1, []))));
        AssertError("""{"code": 42, "message": "answer", "data": false}""", Request().ErrorRespond(new RpcException(42, "answer", false)));
        AssertError("""{"code": 42, "message": "answer"}""", Request().ErrorRespond(new RpcException(42, "answer")));
        AssertError("""{"code": -32050, "message": "custom failure", "data": {"a": 1}}""", Request().ErrorRespond(new CustomException(new Dictionary<string, int> { ["a"] = 1 })));
        AssertError("""{"code": -32050, "message": "custom failure"}""", Request().ErrorRespond(new CustomException(null)));
    }

    [Fact]
    public void Plain_rpc_exception_is_a_server_error()
    {
        var data = new Dictionary<string, object> { ["msg"] = "structured data", ["lst"] = new List<int> { 1, 2, 3 } };

        AssertError("""{"code": -32000, "message": "error message", "data": {"msg": "structured data", "lst": [1, 2, 3]}}""", Request().ErrorRespond(new RpcException("error message", data)));
        AssertError("""{"code": -32000, "message": "error message"}""", Request().ErrorRespond(new RpcException("error message")));
        AssertError("""{"code": -32000, "message": "RPC error"}""", Request().ErrorRespond(new RpcException()));
        AssertError("""{"code": -32000, "message": "outer"}""", Request().ErrorRespond(new RpcException("outer", new InvalidOperationException("inner"))));
    }

    [Fact]
    public void Palindrome_exception_gives_the_reply_of_tinyrpc()
    {
        AssertError("""{"code": 99, "message": "Ah, that's cheating", "data": "rotator"}""", Request().ErrorRespond(new PalindromeException("rotator")));
    }

    [Fact]
    public void Predefined_errors_have_their_codes_and_messages()
    {
        AssertError("""{"code": -32601, "message": "Method not found"}""", Request().ErrorRespond(new MethodNotFoundException("foo")));
        AssertError("""{"code": -32601, "message": "Method not found"}""", Request().ErrorRespond(new JsonRpcMethodNotFoundException("foo")));
        AssertError("""{"code": -32602, "message": "Invalid params"}""", Request().ErrorRespond(new JsonRpcInvalidParamsException()));
        AssertError("""{"code": -32602, "message": "Invalid params: parameter 'a' is missing"}""", Request().ErrorRespond(new InvalidParamsException("a", "is missing")));
        AssertError("""{"code": -32603, "message": "Internal error"}""", Request().ErrorRespond(new JsonRpcInternalException()));
        AssertError("""{"code": -32000, "message": "Server error"}""", Request().ErrorRespond(new JsonRpcServerException()));
        AssertError("""{"code": -32000, "message": "Server error"}""", Request().ErrorRespond(new ServerException()));
        AssertError("""{"code": -32001, "message": "busy", "data": 3}""", Request().ErrorRespond(new ServerException(-32001, "busy", 3)));
        AssertError("""{"code": -32700, "message": "Parse error", "data": "why"}""", Request().ErrorRespond(new JsonRpcParseException("why")));
        AssertError("""{"code": -32600, "message": "Invalid Request", "data": "why"}""", Request().ErrorRespond(new JsonRpcInvalidRequestException("why")));
        AssertError("""{"code": -32600, "message": "Invalid Request"}""", Request().ErrorRespond(new JsonRpcInvalidRequestException()));
    }

    [Fact]
    public void Other_exceptions_are_server_errors_with_their_message()
    {
        AssertError("""{"code": -32000, "message": "boom"}""", Request().ErrorRespond(new InvalidOperationException("boom")));
        AssertError("""{"code": -32000, "message": "line1\nline2 \"q\" é"}""", Request().ErrorRespond(new InvalidOperationException("line1\nline2 \"q\" é")));
        var e = new ArgumentNullException("value");
        AssertError($$"""{"code": -32000, "message": {{JsonSerializer.Serialize(e.Message)}}}""", Request().ErrorRespond(e));
        AssertError("""{"code": -32000, "message": "text"}""", Request().ErrorRespond("text"));
    }

    private sealed class Cycle
    {
        public Cycle? Next { get; set; }

        public override string ToString() => "a cycle";
    }

    private sealed class Throwing
    {
        public int Fine => 1;

        public int Broken => throw new InvalidOperationException("getter fails");

        public override string ToString() => "throwing data";
    }

    [Fact]
    public void Data_that_cannot_be_serialized_is_sent_as_its_text()
    {
        var cycle = new Cycle();
        cycle.Next = cycle;
        var rpc = new JsonRpcProtocol();

        AssertError("""{"code": 1, "message": "m", "data": "a cycle"}""", Request(rpc: rpc).ErrorRespond(new RpcException(1, "m", cycle)));
        AssertError("""{"code": 1, "message": "m", "data": "throwing data"}""", Request(rpc: rpc).ErrorRespond(new RpcException(1, "m", new Throwing())));
        AssertError("""{"code": 1, "message": "m", "data": "NaN"}""", Request(rpc: rpc).ErrorRespond(new RpcException(1, "m", double.NaN)));
    }

    [Fact]
    public void Invalid_utf16_in_an_error_still_gives_a_valid_reply()
    {
        // an exception message is arbitrary text: the server must answer all the same
        RpcErrorResponse reply = Request().ErrorRespond(new RpcException(1, "bad \ud800 message", "bad \udc00 data"))!;

        AssertError("{\"code\": 1, \"message\": \"bad \uFFFD message\", \"data\": \"bad \uFFFD data\"}", reply);
        AssertError("{\"code\": -32000, \"message\": \"x\uFFFD\"}", Request().ErrorRespond(new InvalidOperationException("x\ud800")));
    }

    [Fact]
    public void Error_response_exposes_code_message_and_data()
    {
        RpcErrorResponse response = Request("\"e1\"").ErrorRespond(new RpcException(99, "msg", new Dictionary<string, int> { ["a"] = 1 }))!;

        Assert.True(response.IsError);
        Assert.Equal(99, response.Code);
        Assert.Equal("msg", response.Message);
        Assert.Equal(RpcId.FromString("e1"), response.Id);
        Assert.True(response.HasData);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1 }, response.GetData<Dictionary<string, int>>());
        Assert.Equal(JsonValueKind.Object, response.GetData<JsonElement>().ValueKind);
        Assert.Throws<InvalidReplyException>(() => response.GetData<int>());

        RpcException exception = response.ToException();
        Assert.Equal(99, exception.Code);
        Assert.Equal("msg", exception.Message);
        Assert.Equal(1, exception.GetData<Dictionary<string, int>>()!["a"]);
        Assert.Equal(99, Assert.Throws<JsonRpcException>(() => response.GetResult<int>()).Code);
    }

    [Fact]
    public void Error_response_without_data_has_none()
    {
        RpcErrorResponse response = Request().ErrorRespond(new InvalidOperationException("x"))!;

        Assert.False(response.HasData);
        Assert.Null(response.GetData<string>());
        Assert.Equal(0, response.GetData<int>());
        Assert.False(response.ToException().HasData);
        Assert.Null(response.ToException().ErrorData);
    }

    [Fact]
    public void Protocol_error_response_answers_no_request_unless_given_an_id()
    {
        var rpc = new JsonRpcProtocol();

        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": null, "error": {"code": -32603, "message": "Internal error"}}""", rpc.CreateErrorResponse(new JsonRpcInternalException()).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": null, "error": {"code": -32000, "message": "x"}}""", rpc.CreateErrorResponse(new InvalidOperationException("x"), RpcId.Null).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": 5, "error": {"code": -32000, "message": "x"}}""", rpc.CreateErrorResponse(new InvalidOperationException("x"), 5).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": "r", "error": {"code": -32000, "message": "x"}}""", rpc.CreateErrorResponse(new InvalidOperationException("x"), "r").Serialize());
        Assert.Equal(RpcId.Null, rpc.CreateErrorResponse(new InvalidOperationException("x")).Id);
    }

    [Fact]
    public void Error_received_from_another_server_is_relayed_with_its_data()
    {
        var rpc = new JsonRpcProtocol();
        var remote = (RpcErrorResponse)rpc.ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "id": 9, "error": {"code": 7, "message": "far away", "data": {"deep": [1, 2.50, "x"]}}}"""));

        RpcErrorResponse relayed = Request(rpc: rpc).ErrorRespond(remote.ToException())!;

        AssertError("""{"code": 7, "message": "far away", "data": {"deep": [1, 2.50, "x"]}}""", relayed);
    }

    [Fact]
    public void Response_ids_follow_the_request()
    {
        Assert.Equal(RpcId.FromNumber(17), Request("17").Respond(1)!.Id);
        Assert.Equal(RpcId.FromString("x"), Request("\"x\"").Respond(1)!.Id);
        Assert.Equal(RpcId.Null, Request("null").Respond(1)!.Id);
        Assert.Equal(RpcId.FromNumber(17), Request("17").ErrorRespond(new InvalidOperationException())!.Id);
    }

    [Fact]
    public void Result_json_is_compact()
    {
        string text = JsonAssert.Text(Request().Respond(new Dictionary<string, int[]> { ["a"] = [1, 2] })!.Serialize());

        Assert.DoesNotContain(" ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 42, "42")]
    [InlineData("\"abc\"", -7, "-7")]
    [InlineData("null", int.MinValue, "-2147483648")]
    [InlineData("1.5e3", int.MaxValue, "2147483647")]
    [InlineData("\"\\u00e9\"", 0, "0")]
    public void Int_results_are_written_byte_exact_with_the_id_as_received(string id, int result, string expected)
    {
        RpcResponse response = Request(id).Respond(result)!;
        Assert.Equal($$"""{"jsonrpc":"2.0","id":{{id}},"result":{{expected}}}""", System.Text.Encoding.UTF8.GetString(response.Serialize().Span));
        Assert.Equal(result, response.GetResult<int>());
        Assert.Equal(Rpc.ParseReply(response.Serialize()) is RpcResponse parsed ? parsed.Id : default, response.Id);
    }

    [Theory]
    [InlineData("plain ASCII, with <html> & 'quotes'", "\"plain ASCII, with <html> & 'quotes'\"")]
    [InlineData("", "\"\"")]
    [InlineData("quote \" and backslash \\", "\"quote \\\" and backslash \\\\\"")]
    [InlineData("tab\tnewline\n", "\"tab\\tnewline\\n\"")]
    [InlineData("été", "\"été\"")]
    [InlineData(null, "null")]
    public void String_results_are_written_byte_exact(string? result, string expected)
    {
        RpcResponse response = Request("\"x\"").Respond(result)!;
        Assert.Equal($$"""{"jsonrpc":"2.0","id":"x","result":{{expected}}}""", System.Text.Encoding.UTF8.GetString(response.Serialize().Span));
        Assert.Equal(result, response.GetResult<string?>());
        Assert.Equal(RpcId.FromString("x"), response.Id);
    }

    [Fact]
    public void A_stricter_encoder_still_escapes_what_it_escapes()
    {
        var rpc = new JsonRpcProtocol(new JsonRpcProtocolOptions
        {
            SerializerOptions = new JsonSerializerOptions(TestJsonContext.Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default },
        });
        RpcResponse response = Request(rpc: rpc).Respond("a<b & 'c'")!;
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":"a\u003Cb \u0026 \u0027c\u0027"}""", System.Text.Encoding.UTF8.GetString(response.Serialize().Span));
        Assert.Equal("a<b & 'c'", response.GetResult<string>());
    }

    [Fact]
    public void Control_characters_in_string_results_are_escaped()
    {
        RpcResponse response = Request().Respond("del\u007f nul\0")!;
        string json = System.Text.Encoding.UTF8.GetString(response.Serialize().Span);
        Assert.DoesNotContain('\u007f', json);
        Assert.DoesNotContain('\0', json);
        Assert.Equal("del\u007f nul\0", response.GetResult<string>());
    }
}
