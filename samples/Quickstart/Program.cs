using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Quickstart;
using TinyRpc.AspNetCore;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

// tinyrpc's quickstart (section 1.1.1) in one process: a server that reverses strings over HTTP on 127.0.0.1,
// and a client that calls it through a generated, typed proxy.

// The server: a dispatcher with one service, mapped to POST /rpc.
var dispatcher = new RpcDispatcher();
dispatcher.RegisterInstance(new StringService());

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
await using WebApplication app = builder.Build();
app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol());
await app.StartAsync();

// The client: JSON-RPC over HTTP POST to the address the server got.
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
await using var client = new RpcClient(new JsonRpcProtocol(), new HttpPostClientTransport(http, new Uri(app.Urls.First() + "/rpc")));
IStringService strServer = client.GetProxy<IStringService>();

string result = await strServer.ReverseStringAsync("Hello, World!");
Console.WriteLine($"Server answered: {result}");

await app.StopAsync();
return result == "!dlroW ,olleH" ? 0 : 1;
