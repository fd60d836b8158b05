using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TinyRpc.AspNetCore;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Samples.DemoServer;
using TinyRpc.Server;
using TinyRpc.Transports;

DemoOptions? options = DemoOptions.Parse(args, out string? error);
if (options is null)
{
    await Console.Error.WriteLineAsync(error);
    await Console.Error.WriteLineAsync("Run with --help for the options.");
    return 2;
}

if (options.Help)
{
    await Console.Out.WriteLineAsync(DemoOptions.Usage);
    return 0;
}

RpcProtocol? protocol = CreateProtocol(options.Protocol, out string? problem);
if (protocol is null)
{
    await Console.Error.WriteLineAsync(problem);
    return 2;
}

TextWriter? log = options.Log ? Console.Error : null;
// Failures a client sees only as an error reply (a result that cannot be written, an unexpected exception) are
// written to standard error, with or without --log.
// rpc.discover answers the OpenRPC document of every method below, on every transport and protocol.
var dispatcher = new RpcDispatcher { Logger = new StandardErrorLogger("TinyRpc.Dispatch.RpcDispatcher"), EnableDiscovery = true, DiscoveryTitle = "TinyRpc DemoServer" };
dispatcher.RegisterInstance(new DemoService(log));
dispatcher.RegisterInstance(new Website("sitea"), "sitea.");
dispatcher.RegisterInstance(new Website("siteb"), "siteb.");
RpcTrace? trace = log is null ? null : (direction, context, message) => log.WriteLine($"{direction} {context?.ToString() ?? "-"} {Describe(message.Span)}");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

try
{
    return options.Transport switch
    {
        "cgi" => await ServeCgiAsync(),
        "tcp" => await ServeTcpAsync(),
        "zmq" => await ServeZmqAsync(),
        "rabbitmq" => await ServeRabbitMqAsync(),
        _ => await ServeWebAsync(),
    };
}
catch (Exception e) when (e is IOException or UriFormatException or FormatException or ArgumentException or InvalidOperationException
    or RpcTransportException or NetMQ.NetMQException)
{
    await Console.Error.WriteLineAsync($"DemoServer: {e.Message}");
    return 1;
}

// The one place that maps a protocol name to its implementation.
static RpcProtocol? CreateProtocol(string name, out string? problem)
{
    problem = null;
    switch (name)
    {
        case "jsonrpc":
            return new JsonRpcProtocol();
        case "msgpack":
            return new MessagePackRpcProtocol();
        default:
            problem = $"Unknown protocol '{name}': use jsonrpc or msgpack.";
            return null;
    }
}

async Task<int> ServeCgiAsync()
{
    var transport = new CgiServerTransport(protocol.ContentType) { MaxContentLength = options.MaxSize };
    var server = new RpcServer(transport, protocol, dispatcher) { Trace = trace };
    await server.ReceiveOneMessageAsync(stop.Token);
    return 0;
}

async Task<int> ServeTcpAsync()
{
    IPEndPoint endpoint = ParseHostPort(options.Endpoint ?? "127.0.0.1:5000");
    await using var transport = new TcpServerTransport(endpoint, options.Framing, options.MaxSize);
    transport.Start();
    await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Listening on tcp://{transport.LocalEndPoint}"));
    var server = new RpcServer(transport, protocol, dispatcher) { Trace = trace };
    await server.ServeForeverAsync(stop.Token);
    return 0;
}

async Task<int> ServeZmqAsync()
{
    using ZmqServerTransport transport = ZmqServerTransport.Create(options.Endpoint ?? "tcp://127.0.0.1:5001");
    await Console.Out.WriteLineAsync($"Listening on {transport.Endpoint}");
    var server = new RpcServer(transport, protocol, dispatcher) { Trace = trace };
    await server.ServeForeverAsync(stop.Token);
    return 0;
}

async Task<int> ServeRabbitMqAsync()
{
    // Either an AMQP URI (its path is the virtual host; --queue names the queue) or host[:port]/queue.
    string endpoint = options.Endpoint ?? "127.0.0.1:5672/tinyrpc_demo";
    RabbitMQServerTransport transport;
    string queue;
    if (endpoint.StartsWith("amqp://", StringComparison.OrdinalIgnoreCase) || endpoint.StartsWith("amqps://", StringComparison.OrdinalIgnoreCase))
    {
        var uri = new Uri(endpoint);
        queue = options.Queue ?? "tinyrpc_demo";
        transport = await RabbitMQServerTransport.CreateAsync(uri, queue, cancellationToken: stop.Token);
        endpoint = $"{uri.Host}:{(uri.IsDefaultPort ? 5672 : uri.Port)}";
    }
    else
    {
        int slash = endpoint.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == endpoint.Length - 1)
        {
            throw new FormatException($"'{endpoint}' is neither an AMQP URI (amqp://user:password@host:port/vhost) nor host[:port]/queue.");
        }

        if (options.Queue is not null)
        {
            throw new FormatException($"'{endpoint}' names its queue already; --queue goes with an amqp:// endpoint.");
        }

        string hostPart = endpoint[..slash];
        queue = endpoint[(slash + 1)..];
        IPEndPoint broker = hostPart.Contains(':', StringComparison.Ordinal) ? ParseHostPort(hostPart) : new IPEndPoint(ParseAddress(hostPart), 5672);
        transport = await RabbitMQServerTransport.CreateAsync(broker.Address.ToString(), queue, port: broker.Port, cancellationToken: stop.Token);
        endpoint = broker.ToString();
    }

    await using (transport)
    {
        await Console.Out.WriteLineAsync($"Listening on rabbitmq://{endpoint}/{queue}");
        var server = new RpcServer(transport, protocol, dispatcher) { Trace = trace };
        await server.ServeForeverAsync(stop.Token);
    }

    return 0;
}

async Task<int> ServeWebAsync()
{
    bool webSocket = options.Transport == "ws";
    var uri = new Uri(options.Endpoint ?? (webSocket ? "ws://127.0.0.1:8080/ws" : "http://127.0.0.1:8080/"));
    string expected = webSocket ? "ws" : "http";
    if (uri.Scheme != expected)
    {
        throw new ArgumentException($"The {options.Transport} transport wants a {expected}:// endpoint, not '{uri}'.");
    }

    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseKestrel(kestrel => kestrel.Listen(ParseAddress(uri.Host), uri.Port));
    await using WebApplication app = builder.Build();

    IServerTransport transport;
    if (webSocket)
    {
        var sockets = new WebSocketServerTransport(new WebSocketServerOptions
        {
            MaxMessageSize = options.MaxSize,
            MessageType = protocol is MessagePackRpcProtocol ? WebSocketMessageType.Binary : WebSocketMessageType.Text,
        });
        app.UseWebSockets();
        app.MapTinyRpcWebSocket(sockets, uri.AbsolutePath);
        transport = sockets;
    }
    else
    {
        var http = new HttpServerTransport(protocol.ContentType, new RpcHttpOptions { MaxContentLength = options.MaxSize, AllowedOrigin = options.AllowOrigin });
        app.MapTinyRpc(uri.AbsolutePath, http);
        transport = http;
    }

    // The same document for tools that read it over plain HTTP: GET /rpc/openrpc.json beside /rpc.
    app.MapOpenRpcDocument(uri.AbsolutePath.TrimEnd('/') + "/" + RpcHttpOptions.OpenRpcDocumentName, dispatcher,
        new RpcHttpOptions { AllowedOrigin = options.AllowOrigin });

    // --explorer (a development aid): a page at <path>/explorer that reads that document and calls the methods at <path>.
    string explorer = uri.AbsolutePath.TrimEnd('/') + "/explorer";
    if (options.Explorer)
    {
        app.MapTinyRpcExplorer(explorer, uri.AbsolutePath);
    }

    await app.StartAsync(stop.Token);
    foreach (string address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
    {
        var listening = new Uri(address);
        await Console.Out.WriteLineAsync($"Listening on {expected}://{listening.Authority}{uri.AbsolutePath}");
        if (options.Explorer)
        {
            await Console.Out.WriteLineAsync($"RPC explorer (a development aid) at http://{listening.Authority}{explorer}");
        }
    }

    await Console.Out.FlushAsync(CancellationToken.None);
    var server = new RpcServer(transport, protocol, dispatcher) { Trace = trace };
    await server.ServeForeverAsync(stop.Token);
    using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(10));
    await app.StopAsync(shutdown.Token);
    return 0;
}

static IPAddress ParseAddress(string host) => host switch
{
    "localhost" => IPAddress.Loopback,
    "*" or "+" => IPAddress.Any,
    _ => IPAddress.Parse(host.Trim('[', ']')),
};

static IPEndPoint ParseHostPort(string text)
{
    int colon = text.LastIndexOf(':');
    if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
    {
        throw new FormatException($"'{text}' is not host:port.");
    }

    return new IPEndPoint(ParseAddress(text[..colon]), port);
}

static string Describe(ReadOnlySpan<byte> message)
{
    if (message.IsEmpty)
    {
        return "(no reply)";
    }

    return message[0] is (byte)'{' or (byte)'['
        ? Encoding.UTF8.GetString(message)
        : $"({message.Length} bytes) {Convert.ToHexString(message[..Math.Min(64, message.Length)])}";
}
