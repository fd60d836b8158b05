using MessagePackRpc;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

// MSGPACK-RPC (tinyrpc 1.6): the same kind of service as over JSON-RPC, with a binary protocol. Requests are
// [0, msgid, method, params], replies [1, msgid, error, result], notifications [2, method, params].
await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
var dispatcher = new RpcDispatcher();
dispatcher.RegisterInstance(new StringService());
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
Task serving = new RpcServer(transport, new MessagePackRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token);

var protocol = new MessagePackRpcProtocol();
await using var client = new RpcClient(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port));
IStringService strings = client.GetProxy<IStringService>();

string reversed = await strings.ReverseStringAsync("Hello, MessagePack!");
Console.WriteLine($"Server answered: {reversed}");

RpcRequest request = protocol.CreateRequest("reverse_string", ["abc"]);
Console.WriteLine("a request on the wire: " + Convert.ToHexString(request.Serialize().Span));

int failures = reversed == "!kcaPegasseM ,olleH" ? 0 : 1;
try
{
    await strings.ReverseStringAsync("racecar");
    failures++;
}
catch (RpcException e)
{
    // Errors travel as [code, message], as tinyrpc writes them.
    Console.WriteLine($"palindrome: error {e.Code}: {e.Message}");
    failures += e.Code == 99 ? 0 : 1;
}

try
{
    // MSGPACK-RPC has positional arguments only: keyword arguments are refused before anything is sent.
    protocol.CreateRequest("reverse_string", kwargs: new Dictionary<string, object?> { ["s"] = "abc" });
    failures++;
}
catch (InvalidRequestException e)
{
    Console.WriteLine("keyword arguments: " + e.Message);
}

await stop.CancelAsync();
await serving;

return failures;
