using System.Text.Json;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>
/// The protocol-only examples of tinyrpc's documentation (section 1.5.1: client and server, batch,
/// one-way; sections 1.5.4 to 1.5.6: errors with fixed messages and data), client and server each
/// with its own protocol instance, as they would be in two processes.
/// </summary>
public class TinyRpcDocumentationExampleTests
{
    private readonly JsonRpcProtocol _server = new();
    private readonly JsonRpcProtocol _rpc = new();

    private ReadOnlyMemory<byte> SendToServerAndGetReply(RpcMessage request)
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(_server, request.Serialize());
        Assert.True(reply.HasValue, "the server sent no reply");
        return reply.Value;
    }

    [Fact]
    public void Client_calls_with_positional_arguments_and_reads_the_result()
    {
        RpcRequest request = _rpc.CreateRequest("subtract", [42, 23]);
        ReadOnlyMemory<byte> reply = SendToServerAndGetReply(request);

        var response = Assert.IsAssignableFrom<RpcResponse>(_rpc.ParseReply(reply));

        Assert.False(response.IsError);
        Assert.Equal(request.Id, response.Id);
        Assert.Equal(19, response.GetResult<int>());
    }

    [Fact]
    public void Client_calls_with_keyword_arguments_and_reads_the_result()
    {
        RpcRequest request = _rpc.CreateRequest("subtract", kwargs: new Dictionary<string, object?> { ["subtrahend"] = 23, ["minuend"] = 42 });
        ReadOnlyMemory<byte> reply = SendToServerAndGetReply(request);

        var response = Assert.IsAssignableFrom<RpcResponse>(_rpc.ParseReply(reply));

        Assert.False(response is RpcErrorResponse);
        Assert.Equal(19, response.GetResult<int>());
    }

    [Fact]
    public void Client_gets_an_error_response_and_raises_it()
    {
        RpcRequest request = _rpc.CreateRequest("foobar", ["x"]);
        ReadOnlyMemory<byte> reply = SendToServerAndGetReply(request);

        var error = Assert.IsAssignableFrom<RpcErrorResponse>(_rpc.ParseReply(reply));
        Assert.Equal(RpcErrorCodes.MethodNotFound, error.Code);
        Assert.Equal(request.Id, error.Id);

        JsonRpcException raised = Assert.Throws<JsonRpcException>(() => _rpc.RaiseError(error));
        Assert.Equal(RpcErrorCodes.MethodNotFound, raised.Code);
        Assert.Equal("Method not found", raised.Message);
    }

    [Fact]
    public void Client_sends_a_batch_and_handles_each_response()
    {
        RpcBatchRequest requests = _rpc.CreateBatchRequest(
        [
            _rpc.CreateRequest("subtract", [42, 23]),
            _rpc.CreateRequest("subtract", kwargs: new Dictionary<string, object?> { ["minuend"] = 23, ["subtrahend"] = 42 }),
            _rpc.CreateRequest("foobar"),
            _rpc.CreateRequest("sum", [1, 2, 4]),
        ]);
        ReadOnlyMemory<byte> reply = SendToServerAndGetReply(requests);

        var responses = Assert.IsAssignableFrom<RpcBatchResponse>(_rpc.ParseReply(reply));

        Assert.Equal(requests.Select(static r => r.Request!.Id), responses.Select(static r => r.Id));
        var outcomes = new List<string>();
        foreach (RpcResponse response in responses)
        {
            outcomes.Add(response is RpcErrorResponse error
                ? "error " + error.Code
                : response.GetResult<int>().ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(["19", "-19", "error -32601", "7"], outcomes);
    }

    [Fact]
    public void One_way_request_has_no_id_and_gets_no_reply()
    {
        RpcRequest request = _rpc.CreateRequest("update", [1, 2, 3, 4, 5], oneWay: true);

        Assert.True(request.OneWay);
        Assert.True(request.Id.IsNone);
        Assert.False(JsonAssert.HasMember(request.Serialize(), "id"));
        Assert.Null(ExampleServer.HandleIncomingMessage(_server, request.Serialize()));
    }

    [Fact]
    public void One_way_request_to_an_unknown_method_gets_no_reply_either()
    {
        RpcRequest request = _rpc.CreateRequest("foobar", oneWay: true);

        Assert.Null(ExampleServer.HandleIncomingMessage(_server, request.Serialize()));
    }

    [Fact]
    public void Batch_of_one_way_requests_gets_no_reply()
    {
        RpcBatchRequest requests = _rpc.CreateBatchRequest(
        [
            _rpc.CreateRequest("notify_sum", [1, 2, 4], oneWay: true),
            _rpc.CreateRequest("notify_hello", [7], oneWay: true),
        ]);

        Assert.Null(ExampleServer.HandleIncomingMessage(_server, requests.Serialize()));
    }

    [Fact]
    public void Palindrome_error_with_data_gives_the_reply_of_section_1_5_4()
    {
        // tinyrpc: raise PalindromeError(data=s); client.reverse('rotator')
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(_server,
            """{"jsonrpc": "2.0", "method": "reverse_string", "params": ["rotator"], "id": 1}""");

        JsonAssert.Equal(
            """
            {
              "jsonrpc": "2.0",
              "id": 1,
              "error": {
                "code": 99,
                "message": "Ah, that's cheating",
                "data": "rotator"
              }
            }
            """,
            reply!.Value);
    }

    [Fact]
    public void Palindrome_error_without_data_has_no_data_member()
    {
        var request = (RpcRequest)_server.ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "reverse_string", "params": ["abba"], "id": 7}"""));

        RpcErrorResponse reply = request.ErrorRespond(new PalindromeException())!;

        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": 7, "error": {"code": 99, "message": "Ah, that's cheating"}}""", reply.Serialize());
    }

    [Fact]
    public void Reverse_string_of_a_non_palindrome_returns_the_reversed_string()
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(_server,
            """{"jsonrpc": "2.0", "method": "reverse_string", "params": {"s": "hello"}, "id": 2}""");

        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": 2, "result": "olleh"}""", reply!.Value);
    }

    [Fact]
    public void Ordinary_exception_with_data_gives_the_first_reply_of_section_1_5_6()
    {
        // tinyrpc: raise Exception('error message', {'msg': 'structured data', 'lst': [1, 2, 3]})
        var request = (RpcRequest)_server.ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "fn", "id": 12}"""));
        var data = new Dictionary<string, object> { ["msg"] = "structured data", ["lst"] = new List<int> { 1, 2, 3 } };

        RpcErrorResponse reply = request.ErrorRespond(new RpcException("error message", data))!;

        JsonAssert.Equal(
            """
            {
              "jsonrpc": "2.0",
              "id": 12,
              "error": {
                "code": -32000,
                "message": "error message",
                "data": {"msg": "structured data", "lst": [1, 2, 3]}
              }
            }
            """,
            reply.Serialize());
    }

    private sealed class MyException(object? data) : RpcException(99, "standard message", data);

    [Fact]
    public void Fixed_message_exception_with_data_gives_the_second_reply_of_section_1_5_6()
    {
        // tinyrpc: raise MyException(data={'msg': 'structured data', 'lst': [1, 2, 3]})
        var request = (RpcRequest)_server.ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "fn", "id": "abc"}"""));
        var data = new Dictionary<string, object> { ["msg"] = "structured data", ["lst"] = new[] { 1, 2, 3 } };

        RpcErrorResponse reply = request.ErrorRespond(new MyException(data))!;

        JsonAssert.Equal(
            """
            {
              "jsonrpc": "2.0",
              "id": "abc",
              "error": {
                "code": 99,
                "message": "standard message",
                "data": {"msg": "structured data", "lst": [1, 2, 3]}
              }
            }
            """,
            reply.Serialize());
    }

    [Fact]
    public void Client_receives_the_palindrome_error_with_its_code_message_and_data()
    {
        RpcRequest request = _rpc.CreateRequest("reverse_string", ["rotator"]);
        var error = Assert.IsAssignableFrom<RpcErrorResponse>(_rpc.ParseReply(SendToServerAndGetReply(request)));

        JsonRpcException raised = Assert.Throws<JsonRpcException>(() => _rpc.RaiseError(error));

        Assert.Equal(99, raised.Code);
        Assert.Equal("Ah, that's cheating", raised.Message);
        Assert.True(raised.HasData);
        Assert.Equal("rotator", raised.GetData<string>());
        var element = Assert.IsType<JsonElement>(raised.ErrorData);
        Assert.Equal("rotator", element.GetString());
        Assert.Equal(request.Id, raised.RequestId);
    }
}
