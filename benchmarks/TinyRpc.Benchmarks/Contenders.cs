using System.IO.Pipelines;
using System.Net.WebSockets;
using StreamJsonRpc;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>One side of a round-trip benchmark: something that makes one call of the measured method.</summary>
public interface IContender : IAsyncDisposable
{
    /// <summary>Makes one call and completes when its reply has arrived.</summary>
    Task CallAsync();

    /// <summary>Makes one call and checks the answer (run once in setup).</summary>
    Task VerifyAsync();
}

/// <summary>TinyRpc end to end: generated proxy → RpcClient → transport → RpcServer → generated table.</summary>
public sealed class TinyRpcContender : IContender
{
    private readonly RpcClient _client;
    private readonly IBenchService _proxy;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private readonly IServerTransport _serverTransport;
    private readonly bool _add;

    /// <param name="protocol">JSON-RPC when null; MSGPACK-RPC's round trips pass a <see cref="MessagePackRpcProtocol"/>.</param>
    public TinyRpcContender(IClientTransport clientTransport, IServerTransport serverTransport, string method, RpcProtocol? protocol = null)
        : this(p => new RpcClient(p, clientTransport), serverTransport, method, protocol)
    {
    }

    /// <param name="protocol">JSON-RPC when null; MSGPACK-RPC's round trips pass a <see cref="MessagePackRpcProtocol"/>.</param>
    public TinyRpcContender(IMessageChannel clientChannel, IServerTransport serverTransport, string method, RpcProtocol? protocol = null)
        : this(p => new RpcClient(p, clientChannel), serverTransport, method, protocol)
    {
    }

    private TinyRpcContender(Func<RpcProtocol, RpcClient> connect, IServerTransport serverTransport, string method, RpcProtocol? protocol)
    {
        protocol ??= new JsonRpcProtocol();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new BenchService());
        _serverTransport = serverTransport;
        _serving = new RpcServer(serverTransport, protocol, dispatcher).ServeForeverAsync(_stop.Token);
        _client = connect(protocol);
        _proxy = _client.GetProxy<IBenchService>();
        _add = method == Payloads.Add;
    }

    public Task CallAsync() => _add ? _proxy.AddAsync(Payloads.A, Payloads.B) : _proxy.ReverseStringAsync(Payloads.Text);

    public async Task VerifyAsync()
    {
        if (_add)
        {
            Check.Equal(42, await _proxy.AddAsync(Payloads.A, Payloads.B), nameof(TinyRpcContender));
        }
        else
        {
            Check.Equal(BenchService.Reverse(Payloads.Text), await _proxy.ReverseStringAsync(Payloads.Text), nameof(TinyRpcContender));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _stop.CancelAsync();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10));
        if (_serverTransport is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        _stop.Dispose();
    }
}

/// <summary>StreamJsonRpc with its System.Text.Json formatter and header-delimited framing: the peer to beat.</summary>
public sealed class StreamJsonRpcContender : IContender
{
    private readonly JsonRpc _client;
    private readonly JsonRpc _server;
    private readonly bool _add;

    private StreamJsonRpcContender(IJsonRpcMessageHandler client, IJsonRpcMessageHandler server, string method)
    {
        _server = new JsonRpc(server);
        _server.AddLocalRpcTarget(new StreamJsonRpcService());
        _server.StartListening();
        _client = new JsonRpc(client);
        _client.StartListening();
        _add = method == Payloads.Add;
    }

    /// <summary>
    /// Over a pair of in-memory duplex pipes with its MessagePack formatter and 4-byte length prefixes, the pairing
    /// StreamJsonRpc recommends for MessagePack. Its messages are JSON-RPC envelopes encoded as MessagePack maps, not
    /// MSGPACK-RPC arrays.
    /// </summary>
    public static StreamJsonRpcContender OverPipesWithMessagePack(IDuplexPipe client, IDuplexPipe server, string method)
        => new(new LengthHeaderMessageHandler(client, new MessagePackFormatter()),
            new LengthHeaderMessageHandler(server, new MessagePackFormatter()), method);

    /// <summary>Over two ends of a connection with its MessagePack formatter and 4-byte length prefixes.</summary>
    public static StreamJsonRpcContender OverStreamsWithMessagePack(Stream client, Stream server, string method)
        => new(new LengthHeaderMessageHandler(client, client, new MessagePackFormatter()),
            new LengthHeaderMessageHandler(server, server, new MessagePackFormatter()), method);

    /// <summary>Over a pair of in-memory duplex pipes (its fastest path).</summary>
    public static StreamJsonRpcContender OverPipes(IDuplexPipe client, IDuplexPipe server, string method)
        => new(new HeaderDelimitedMessageHandler(client, new SystemTextJsonFormatter()),
            new HeaderDelimitedMessageHandler(server, new SystemTextJsonFormatter()), method);

    /// <summary>Over two ends of a connection (TCP's NetworkStream).</summary>
    public static StreamJsonRpcContender OverStreams(Stream client, Stream server, string method)
        => new(new HeaderDelimitedMessageHandler(client, new SystemTextJsonFormatter()),
            new HeaderDelimitedMessageHandler(server, new SystemTextJsonFormatter()), method);

    /// <summary>Over the two ends of a WebSocket, one message per JSON-RPC message.</summary>
    public static StreamJsonRpcContender OverWebSockets(WebSocket client, WebSocket server, string method)
        => new(new WebSocketMessageHandler(client, new SystemTextJsonFormatter()),
            new WebSocketMessageHandler(server, new SystemTextJsonFormatter()), method);

    public Task CallAsync() => _add
        ? _client.InvokeAsync<int>(Payloads.Add, Payloads.A, Payloads.B)
        : _client.InvokeAsync<string>(Payloads.ReverseString, Payloads.Text);

    public async Task VerifyAsync()
    {
        if (_add)
        {
            Check.Equal(42, await _client.InvokeAsync<int>(Payloads.Add, Payloads.A, Payloads.B), nameof(StreamJsonRpcContender));
        }
        else
        {
            Check.Equal(BenchService.Reverse(Payloads.Text), await _client.InvokeAsync<string>(Payloads.ReverseString, Payloads.Text), nameof(StreamJsonRpcContender));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _server.Dispose();
        await _server.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}

/// <summary>
/// The floor: the request's bytes sent over the same transport and echoed back unchanged by a server loop
/// that neither parses nor dispatches.
/// </summary>
public sealed class RawEchoContender : IContender
{
    private readonly IMessageChannel _client;
    private readonly IServerTransport _server;
    private readonly byte[] _message;
    private readonly Task _serving;

    public RawEchoContender(IMessageChannel client, IServerTransport server, string method)
        : this(client, server, Payloads.JsonRequest(method))
    {
    }

    /// <summary>Echoes <paramref name="message"/> (a request in any protocol's wire form).</summary>
    public RawEchoContender(IMessageChannel client, IServerTransport server, byte[] message)
    {
        _client = client;
        _server = server;
        _message = message;
        _serving = Task.Run(ServeAsync);
    }

    public async Task CallAsync()
    {
        await _client.SendAsync(_message);
        _ = await _client.ReceiveAsync() ?? throw new InvalidOperationException("The echo server went away.");
    }

    /// <summary>Sends <paramref name="count"/> messages before reading the echoes, as many calls outstanding do.</summary>
    public async Task CallManyAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await _client.SendAsync(_message);
        }

        for (int i = 0; i < count; i++)
        {
            _ = await _client.ReceiveAsync() ?? throw new InvalidOperationException("The echo server went away.");
        }
    }

    public async Task VerifyAsync()
    {
        await _client.SendAsync(_message);
        ReadOnlyMemory<byte> echo = await _client.ReceiveAsync() ?? throw new InvalidOperationException("The echo server went away.");
        Check.SameBytes(_message, echo, nameof(RawEchoContender));
    }

    private async Task ServeAsync()
    {
        while (await _server.ReceiveMessageAsync() is { } inbound)
        {
            await _server.SendReplyAsync(inbound.Context, inbound.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        switch (_client)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        if (_server is IAsyncDisposable server)
        {
            await server.DisposeAsync();
        }

        await _serving.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}
