using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using TinyRpc.AspNetCore;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;
using WebSocketQuickstart;

// tinyrpc's WebSocket transport (WSServerTransport) in one process: the server answers many calls on one socket,
// each reply matched to its call by id, in whatever order the calls finish.
var dispatcher = new RpcDispatcher();
dispatcher.RegisterInstance(new Clock());

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
await using WebApplication app = builder.Build();
app.UseWebSockets();
app.MapTinyRpcWebSocket("/ws", dispatcher, new JsonRpcProtocol());
await app.StartAsync();

var address = new Uri(app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal) + "/ws");
WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(address); // the client disposes it
await using var client = new RpcClient(new JsonRpcProtocol(), socket);
IClock clock = client.GetProxy<IClock>();

// Three calls in flight on one socket; the slowest was sent first and is answered last.
Task<string> slow = clock.EchoAfterAsync("slow", 300);
Task<string> medium = clock.EchoAfterAsync("medium", 150);
Task<string> fast = clock.EchoAfterAsync("fast", 0);
string first = await Task.WhenAny(slow, medium, fast).Unwrap();
Console.WriteLine($"first answer: {first}");
Console.WriteLine($"Server answered: {await slow}, {await medium}, {await fast}");

await app.StopAsync();
return await slow == "slow" && await fast == "fast" ? 0 : 1;
