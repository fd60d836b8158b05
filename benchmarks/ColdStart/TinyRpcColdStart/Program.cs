using TinyRpc;
using TinyRpc.Protocols;
using TinyRpc.Transports;
using TinyRpcColdStart;

// Server and client in one process: one call over TCP on 127.0.0.1 (a free port), the reply printed, then exit.
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
var dispatcher = new RpcDispatcher();
dispatcher.RegisterInstance(new StringService());
Task serving = new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token);

string result;
await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port, cancellationToken: stop.Token)))
{
    client.Timeout = TimeSpan.FromSeconds(30);
    IStringService service = client.GetProxy<IStringService>();
    result = await service.ReverseStringAsync("Hello, World!");
}

Console.WriteLine($"Server answered: {result}");
await stop.CancelAsync();
await serving;
return result == "!dlroW ,olleH" ? 0 : 1;
