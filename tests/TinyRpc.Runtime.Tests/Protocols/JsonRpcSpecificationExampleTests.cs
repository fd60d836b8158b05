using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>
/// Every example of the "Examples" section of the JSON-RPC 2.0 specification, sent through the
/// <see cref="ExampleServer"/> and compared to the specification's reply as parsed JSON. The
/// specification lets batch replies come in any order; ours keep request order, so the arrays are
/// compared in order. Nothing is returned where the specification shows no reply.
/// </summary>
public class JsonRpcSpecificationExampleTests
{
    public static TheoryData<string, string, string?> Examples => new()
    {
        {
            "rpc call with positional parameters (1)",
            """{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}""",
            """{"jsonrpc": "2.0", "result": 19, "id": 1}"""
        },
        {
            "rpc call with positional parameters (2)",
            """{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}""",
            """{"jsonrpc": "2.0", "result": -19, "id": 2}"""
        },
        {
            "rpc call with named parameters (1)",
            """{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}""",
            """{"jsonrpc": "2.0", "result": 19, "id": 3}"""
        },
        {
            "rpc call with named parameters (2)",
            """{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}""",
            """{"jsonrpc": "2.0", "result": 19, "id": 4}"""
        },
        {
            "a Notification (update)",
            """{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}""",
            null
        },
        {
            "a Notification (foobar)",
            """{"jsonrpc": "2.0", "method": "foobar"}""",
            null
        },
        {
            "rpc call of non-existent method",
            """{"jsonrpc": "2.0", "method": "foobar", "id": "1"}""",
            """{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}"""
        },
        {
            "rpc call with invalid JSON",
            """{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]""",
            """{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"""
        },
        {
            "rpc call with invalid Request object",
            """{"jsonrpc": "2.0", "method": 1, "params": "bar"}""",
            """{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"""
        },
        {
            "rpc call Batch, invalid JSON",
            """
            [
              {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
              {"jsonrpc": "2.0", "method"
            ]
            """,
            """{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"""
        },
        {
            "rpc call with an empty Array",
            """[]""",
            """{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"""
        },
        {
            "rpc call with an invalid Batch (but not empty)",
            """[1]""",
            """
            [
              {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
            ]
            """
        },
        {
            "rpc call with invalid Batch",
            """[1,2,3]""",
            """
            [
              {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
              {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
              {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
            ]
            """
        },
        {
            "rpc call Batch",
            """
            [
                {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
                {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
                {"foo": "boo"},
                {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
                {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
            ]
            """,
            """
            [
                {"jsonrpc": "2.0", "result": 7, "id": "1"},
                {"jsonrpc": "2.0", "result": 19, "id": "2"},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
                {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
            ]
            """
        },
        {
            "rpc call Batch (all notifications)",
            """
            [
                {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
            ]
            """,
            null
        },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Specification_example_gets_the_specified_reply(string example, string request, string? expectedReply)
    {
        var rpc = new JsonRpcProtocol();

        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(rpc, request);

        if (expectedReply is null)
        {
            Assert.True(reply is null, $"{example}: expected no reply, got {(reply is { } r ? JsonAssert.Text(r) : "")}");
        }
        else
        {
            Assert.True(reply.HasValue, $"{example}: expected a reply, got none");
            JsonAssert.EqualIgnoringDetail(expectedReply, reply.Value);
        }
    }

    [Fact]
    public void Method_not_found_reply_is_exactly_the_specified_error_without_data()
    {
        // Here nothing is left out of the comparison: the error has no data member at all.
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(), """{"jsonrpc": "2.0", "method": "foobar", "id": "1"}""");

        JsonAssert.Equal("""{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}""", reply!.Value);
    }

    [Fact]
    public void Mixed_batch_is_parsed_into_members_in_request_order()
    {
        var rpc = new JsonRpcProtocol();
        var batch = Assert.IsAssignableFrom<RpcBatchRequest>(rpc.ParseRequest(JsonAssert.Utf8("""
            [
                {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
                {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
                {"foo": "boo"},
                {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
                {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
            ]
            """)));

        Assert.Equal(6, batch.Count);
        Assert.Equal(["sum", "notify_hello", "subtract", null, "foo.get", "get_data"], batch.Select(static i => i.Request?.Method));
        Assert.Equal([true, true, true, false, true, true], batch.Select(static i => i.IsValid));
        Assert.True(batch[1].Request!.OneWay);
        Assert.Equal(RpcId.FromString("5"), batch[4].Request!.Id);
        Assert.IsType<JsonRpcInvalidRequestException>(batch[3].Error);
        Assert.True(batch[4].Request!.Arguments.IsNamed);
    }
}
