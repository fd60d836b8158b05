using TinyRpc;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;
using TinyRpcColdStart;

// Server and client in one process: one call over TCP on 127.0.0.1 (a free port), the reply printed, then exit.
bool phases = Environment.GetEnvironmentVariable("COLDSTART_PHASES") is not null;
if (phases) Phase("main");
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
var dispatcher = new RpcDispatcher();
dispatcher.RegisterInstance(new StringService());
if (phases) Phase("set up");
Task serving = new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token);

if (phases) Phase("serving");
string result;
await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port, cancellationToken: stop.Token)))
{
    if (phases) Phase("connected");
    client.Timeout = TimeSpan.FromSeconds(30);
    IStringService service = client.GetProxy<IStringService>();
    result = await service.ReverseStringAsync("Hello, World!");
    if (phases) Phase("replied");
}

Console.WriteLine($"Server answered: {result}");
await stop.CancelAsync();
await serving;
if (phases) Phase("done");
return result == "!dlroW ,olleH" ? 0 : 1;

// With COLDSTART_PHASES set, prints to standard error how far into the process each step ended and how many
// methods the JIT had compiled by then (docs/benchmarks.md, cold start). Not called otherwise.
static void Phase(string step) => Console.Error.WriteLine(
    $"{step,-10} {(DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds,6:F0} ms {System.Runtime.JitInfo.GetCompiledMethodCount(),5} methods jitted");
