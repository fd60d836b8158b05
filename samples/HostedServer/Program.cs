using System.Net;
using HostedServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TinyRpc;
using TinyRpc.AspNetCore;
using TinyRpc.Dispatch;
using TinyRpc.Hosting;
using TinyRpc.Protocols;
using TinyRpc.Transports;

// One ASP.NET Core host serves GreeterService over TCP (a hosted TinyRpc server) and over HTTP (MapTinyRpc, with the
// same dispatcher), with a health endpoint; a second host, the client, gets a typed proxy from AddTinyRpcClient and
// calls it once over TCP. Logs, traces and metrics go to the console through OpenTelemetry.

if (args is ["--stdio"])
{
    // The same service on standard input and output, for a client that starts this process: the host stops (and the
    // process ends) when standard input ends.
    HostApplicationBuilder stdio = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
    stdio.Services.AddScoped<CallScope>();
    stdio.Services.AddTinyRpc().AddService<GreeterService>().AddStdioServer();
    using IHost stdioHost = stdio.Build();
    await stdioHost.RunAsync();
    return 0;
}

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddFilter("TinyRpc", LogLevel.Debug); // clients coming and going (docs/logging.md)
builder.Logging.AddOpenTelemetry(logs => logs.AddConsoleExporter());
builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing.AddSource(RpcTelemetry.ActivitySourceName).AddConsoleExporter())
    .WithMetrics(metrics => metrics.AddMeter(RpcTelemetry.MeterName).AddConsoleExporter());
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Services.AddScoped<CallScope>();
builder.Services.AddTinyRpc()
    .AddService<GreeterService>()
    .AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0));
await using WebApplication app = builder.Build();
app.MapTinyRpc("/rpc", app.Services.GetRequiredService<RpcDispatcher>(), app.Services.GetRequiredService<RpcProtocol>());
app.MapHealthChecks("/health");
await app.StartAsync();

var tcp = (TcpServerTransport)app.Services.GetRequiredKeyedService<TinyRpcHostedServer>("tcp").Transport!;
Console.WriteLine($"Serving on tcp://{tcp.LocalEndPoint} and {app.Urls.First()}/rpc");

// The client: its own host and container, as another application would have.
HostApplicationBuilder clientBuilder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
clientBuilder.Services.AddTinyRpcClient<IGreeter>(options => options.Endpoint = new Uri($"tcp://{tcp.LocalEndPoint}"));
using IHost client = clientBuilder.Build();
await client.StartAsync();

string greeting = await client.Services.GetRequiredService<IGreeter>().GreetAsync("World");
Console.WriteLine($"Server answered: {greeting}");

using var http = new HttpClient();
string health = await http.GetStringAsync(new Uri(app.Urls.First() + "/health"));
Console.WriteLine($"Health: {health}");

await client.StopAsync();
await app.StopAsync(); // the TCP server stops within the host's shutdown timeout, after its calls in flight
return greeting.StartsWith("Hello, World", StringComparison.Ordinal) && health == "Healthy" ? 0 : 1;
