using System.Text.Encodings.Web;
using System.Text.Json;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>Settings and properties of the protocol, and messages that are slices of larger buffers.</summary>
public class JsonRpcProtocolTests
{
    [Fact]
    public void Protocol_describes_itself()
    {
        var rpc = new JsonRpcProtocol();

        Assert.Equal("jsonrpc", rpc.Name);
        Assert.Equal("application/json", rpc.ContentType);
        Assert.True(rpc.SupportsOutOfOrder);
        Assert.True(rpc.RaisesErrors);
        Assert.Equal("2.0", JsonRpcProtocol.JsonRpcVersion);
        Assert.Equal(JsonRpcProtocolOptions.DefaultMaxDepth, rpc.MaxDepth);
        Assert.Equal(JsonRpcProtocolOptions.DefaultMaxBatchLength, rpc.MaxBatchLength);
        Assert.Equal(64, JsonRpcProtocolOptions.DefaultMaxDepth);
        Assert.Equal(1000, JsonRpcProtocolOptions.DefaultMaxBatchLength);
        Assert.IsAssignableFrom<RpcBatchProtocol>(rpc);
    }

    [Fact]
    public void Options_are_checked()
    {
        Assert.Throws<ArgumentNullException>(() => new JsonRpcProtocol((JsonRpcProtocolOptions)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonRpcProtocol(new JsonRpcProtocolOptions { MaxDepth = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonRpcProtocol(new JsonRpcProtocolOptions { MaxBatchLength = 0 }));

        var rpc = new JsonRpcProtocol(new JsonRpcProtocolOptions { MaxDepth = 2, MaxBatchLength = 1 });
        Assert.Equal(2, rpc.MaxDepth);
        Assert.Equal(1, rpc.MaxBatchLength);
        Assert.IsAssignableFrom<RpcRequest>(rpc.ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "m", "params": [1], "id": 1}""")));
    }

    [Fact]
    public void Serializer_options_are_copied_and_not_changed()
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

        var rpc = new JsonRpcProtocol(options);

        Assert.False(options.IsReadOnly);
        Assert.NotSame(options, rpc.SerializerOptions);
        Assert.Same(JsonNamingPolicy.SnakeCaseLower, rpc.SerializerOptions.PropertyNamingPolicy);
        var request = (RpcRequest)rpc.ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "m", "id": 1}"""));
        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": 1, "result": {"unit": "kg", "value": 1.5}}""", request.Respond(new Measurement("kg", 1.5))!.Serialize());
    }

    private static ReadOnlyMemory<byte> InTheMiddle(string json)
    {
        byte[] message = JsonAssert.Utf8(json);
        byte[] buffer = new byte[message.Length + 200];
        buffer.AsSpan().Fill((byte)'#');
        message.CopyTo(buffer, 123);
        return buffer.AsMemory(123, message.Length);
    }

    [Fact]
    public void Request_in_the_middle_of_a_buffer_is_read_correctly()
    {
        var rpc = new JsonRpcProtocol();

        var request = (RpcRequest)rpc.ParseRequest(InTheMiddle("""{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": "x"}, "id": 12345678901234567890}"""));

        Assert.Equal("subtract", request.Method);
        Assert.Equal("subtract"u8.ToArray(), request.MethodUtf8.ToArray());
        Assert.True(request.Arguments.TryGet("minuend", out int minuend));
        Assert.Equal(42, minuend);
        Assert.True(request.Arguments.TryGet("subtrahend", out string? subtrahend));
        Assert.Equal("x", subtrahend);
        Assert.Equal("12345678901234567890", JsonAssert.RawId(request.Respond(1)!.Serialize()));
        Assert.Equal("12345678901234567890", JsonAssert.RawId(request.ErrorRespond(new InvalidOperationException())!.Serialize()));
        JsonAssert.Equal("""{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": "x"}, "id": 12345678901234567890}""", request.Serialize());
    }

    [Fact]
    public void Batch_in_the_middle_of_a_buffer_is_read_correctly()
    {
        var rpc = new JsonRpcProtocol();

        var batch = (RpcBatchRequest)rpc.ParseRequest(InTheMiddle("""[{"jsonrpc": "2.0", "method": "a", "params": [1], "id": "x"}, 5, {"jsonrpc": "2.0", "method": "b", "params": [2], "id": 7}]"""));

        Assert.Equal(["a", null, "b"], batch.Select(static i => i.Request?.Method));
        Assert.True(batch[2].Request!.Arguments.TryGet(0, "p", out int p));
        Assert.Equal(2, p);
        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": "x", "result": true}""", batch[0].Request!.Respond(true)!.Serialize());
        JsonAssert.Equal("""[{"jsonrpc": "2.0", "method": "a", "params": [1], "id": "x"}, {"jsonrpc": "2.0", "method": "b", "params": [2], "id": 7}]""", batch.Serialize());
    }

    [Fact]
    public void Invalid_request_in_the_middle_of_a_buffer_keeps_its_id()
    {
        JsonRpcInvalidRequestException e = Assert.Throws<JsonRpcInvalidRequestException>(
            () => new JsonRpcProtocol().ParseRequest(InTheMiddle("""{"jsonrpc": "2.0", "method": 1, "id": 1.25}""")));

        Assert.Equal("1.25", JsonAssert.RawId(new JsonRpcProtocol().ErrorRespond(e).Serialize()));
    }

    [Fact]
    public void Reply_in_the_middle_of_a_buffer_is_read_correctly()
    {
        var rpc = new JsonRpcProtocol();

        var reply = (RpcResponse)rpc.ParseReply(InTheMiddle("""{"jsonrpc": "2.0", "result": [1, 2], "id": "abc"}"""));
        var error = (RpcErrorResponse)rpc.ParseReply(InTheMiddle("""{"jsonrpc": "2.0", "error": {"code": 3, "message": "m", "data": {"d": 1}}, "id": 9}"""));

        Assert.Equal([1, 2], reply.GetResult<int[]>());
        Assert.Equal(RpcId.FromString("abc"), reply.Id);
        Assert.Equal(1, error.GetData<Dictionary<string, int>>()!["d"]);
        Assert.Equal(1, error.ToException().GetData<Dictionary<string, int>>()!["d"]);
        JsonAssert.Equal("""{"jsonrpc": "2.0", "error": {"code": 3, "message": "m", "data": {"d": 1}}, "id": 9}""", error.Serialize());
    }

    [Fact]
    public void Builder_with_an_escaping_encoder_still_knows_its_method()
    {
        var rpc = new JsonRpcProtocol(new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default });

        RpcRequest request = rpc.CreateRequestBuilder("héllo<>").Add("é").Build();

        Assert.Equal("héllo<>", request.Method);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes("héllo<>"), request.MethodUtf8.ToArray());
        Assert.Contains("\\u00E9", JsonAssert.Text(request.Serialize()), StringComparison.Ordinal);
        var parsed = (RpcRequest)rpc.ParseRequest(request.Serialize());
        Assert.Equal("héllo<>", parsed.Method);
        Assert.True(parsed.Arguments.TryGet(0, "s", out string? s));
        Assert.Equal("é", s);
    }

    [Fact]
    public void Remote_error_data_of_the_wrong_type_is_an_invalid_cast()
    {
        var rpc = new JsonRpcProtocol();
        var error = (RpcErrorResponse)rpc.ParseReply(JsonAssert.Utf8("""{"jsonrpc": "2.0", "id": 1, "error": {"code": 1, "message": "m", "data": {"a": 1}}}"""));

        RpcException e = error.ToException();

        // RpcException.GetData documents InvalidCastException when the data is not a T
        Assert.Throws<InvalidCastException>(() => e.GetData<int>());
        Assert.Throws<InvalidCastException>(() => e.GetData<List<string>>());
        Assert.Equal(1, e.GetData<Dictionary<string, int>>()!["a"]);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a\"b")]
    [InlineData("back\\slash")]
    [InlineData("line\nbreak\ttab\r\u0001")]
    [InlineData("é ✓")]
    public void String_id_to_string_is_its_json(string id)
    {
        string text = RpcId.FromString(id).ToString();

        using JsonDocument json = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.String, json.RootElement.ValueKind);
        Assert.Equal(id, json.RootElement.GetString());
    }

    [Fact]
    public void Number_id_to_string_is_its_json()
    {
        var request = (RpcRequest)new JsonRpcProtocol().ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "m", "id": 1.50}"""));

        Assert.Equal("1.50", request.Id.ToString());
    }
}
