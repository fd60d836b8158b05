using System.Text;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

// tinyrpc 1.5.1: the protocol layer on its own. Client and server each hold a protocol instance and exchange
// bytes; how the bytes travel is up to the program (here: a method call).
var rpc = new JsonRpcProtocol();
var serverProtocol = new JsonRpcProtocol();

ReadOnlyMemory<byte> SendToServerAndGetReply(RpcMessage request)
{
    ReadOnlyMemory<byte> bytes = request.Serialize();
    Console.WriteLine("--> " + Encoding.UTF8.GetString(bytes.Span));
    ReadOnlyMemory<byte> reply = HandleIncomingMessage(bytes);
    Console.WriteLine("<-- " + (reply.IsEmpty ? "(nothing: a notification)" : Encoding.UTF8.GetString(reply.Span)));
    return reply;
}

// The server side: parse, handle, respond; bad input gets the protocol's error reply.
ReadOnlyMemory<byte> HandleIncomingMessage(ReadOnlyMemory<byte> data)
{
    RpcMessage message;
    try
    {
        message = serverProtocol.ParseRequest(data);
    }
    catch (BadRequestException e)
    {
        return serverProtocol.ErrorRespond(e).Serialize();
    }

    return message switch
    {
        RpcBatchRequest batch => batch.CreateBatchResponse(batch.Select(item => item.Request is { } r ? Handle(r) : batch.ErrorRespond(item.Error!)))?.Serialize() ?? default,
        RpcRequest request => Handle(request)?.Serialize() ?? default,
        _ => default,
    };
}

static RpcResponse? Handle(RpcRequest request)
{
    if (request.Method != "subtract")
    {
        return request.ErrorRespond(new MethodNotFoundException(request.Method));
    }

    bool named = request.Arguments.IsNamed;
    if (!request.Arguments.TryGet(0, "minuend", named, out int minuend) || !request.Arguments.TryGet(1, "subtrahend", named, out int subtrahend))
    {
        return request.ErrorRespond(new InvalidParamsException("minuend", "and subtrahend are required integers"));
    }

    return request.Respond(minuend - subtrahend);
}

int failures = 0;
void Expect(bool condition, string what)
{
    failures += condition ? 0 : 1;
    Console.WriteLine((condition ? "ok    " : "WRONG ") + what);
}

// A call with positional arguments.
var reply = (RpcResponse)rpc.ParseReply(SendToServerAndGetReply(rpc.CreateRequest("subtract", [42, 23])));
Expect(reply.GetResult<int>() == 19, "subtract(42, 23) == 19");

// With keyword arguments.
RpcRequest named = rpc.CreateRequestBuilder("subtract").Add("subtrahend", 23).Add("minuend", 42).Build();
Expect(((RpcResponse)rpc.ParseReply(SendToServerAndGetReply(named))).GetResult<int>() == 19, "subtract(subtrahend=23, minuend=42) == 19");

// An error comes back as an error response; RaiseError turns it into an exception.
var error = (RpcErrorResponse)rpc.ParseReply(SendToServerAndGetReply(rpc.CreateRequest("foobar")));
Expect(error.Code == RpcErrorCodes.MethodNotFound, $"foobar: error {error.Code} {error.Message}");

// A batch: several requests in one message, answered in one message.
RpcBatchRequest batch = rpc.CreateBatchRequest([rpc.CreateRequest("subtract", [10, 3]), rpc.CreateRequest("subtract", [1, 2], oneWay: true), rpc.CreateRequest("nope")]);
var replies = (RpcBatchResponse)rpc.ParseReply(SendToServerAndGetReply(batch));
Expect(replies.Count == 2 && replies[0].GetResult<int>() == 7 && replies[1] is RpcErrorResponse, "batch: two replies (the notification has none)");

// One-way: no reply at all.
Expect(SendToServerAndGetReply(rpc.CreateRequest("subtract", [1, 1], oneWay: true)).IsEmpty, "a notification gets no reply");

// Garbage: a parse error, with a null id.
var garbage = (RpcErrorResponse)rpc.ParseReply(HandleIncomingMessage("{ not json"u8.ToArray()));
Expect(garbage.Code == RpcErrorCodes.ParseError, $"garbage: error {garbage.Code} {garbage.Message}");

return failures == 0 ? 0 : 1;
