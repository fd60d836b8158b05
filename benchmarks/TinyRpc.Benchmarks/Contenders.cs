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

    /// <summary>Starts <paramref name="count"/> calls on the one connection and completes when all their replies have arrived.</summary>
    Task CallManyAsync(int count);

    /// <summary>Makes one call and checks the answer (run once in setup).</summary>
    Task VerifyAsync();
}

/// <summary>Calls started together and awaited together, for contenders whose client matches replies to calls.</summary>
internal sealed class Outstanding(IContender contender)
{
    private Task[] _calls = [];

    public Task CallManyAsync(int count)
    {
        if (_calls.Length != count)
        {
            _calls = new Task[count];
        }

        for (int i = 0; i < count; i++)
        {
            _calls[i] = contender.CallAsync();
        }

        return Task.WhenAll(_calls);
    }
}

/// <summary>TinyRpc end to end: generated proxy → RpcClient → transport → RpcServer → generated table.</summary>
public sealed class TinyRpcContender : IContender
{
    private readonly RpcClient _client;
    private readonly IBenchService _proxy;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private readonly IServerTransport? _serverTransport;
    private readonly bool _add;
    private readonly string _text;
    private readonly Outstanding _outstanding;

    /// <param name="protocol">JSON-RPC when null; MSGPACK-RPC's round trips pass a <see cref="MessagePackRpcProtocol"/>.</param>
    /// <param name="text">reverse_string's argument; <see cref="Payloads.Text"/> when null.</param>
    public TinyRpcContender(IClientTransport clientTransport, IServerTransport serverTransport, string method, RpcProtocol? protocol = null, string? text = null)
        : this(p => new RpcClient(p, clientTransport), serverTransport, method, protocol, text)
    {
    }

    /// <param name="protocol">JSON-RPC when null; MSGPACK-RPC's round trips pass a <see cref="MessagePackRpcProtocol"/>.</param>
    /// <param name="text">reverse_string's argument; <see cref="Payloads.Text"/> when null.</param>
    public TinyRpcContender(IMessageChannel clientChannel, IServerTransport serverTransport, string method, RpcProtocol? protocol = null, string? text = null)
        : this(p => new RpcClient(p, clientChannel), serverTransport, method, protocol, text)
    {
    }

    /// <summary>A client of a server hosted elsewhere (HTTP: an app that maps TinyRpc).</summary>
    public TinyRpcContender(RpcClient client, string method, string? text = null)
    {
        _serving = Task.CompletedTask;
        _client = client;
        _proxy = _client.GetProxy<IBenchService>();
        _add = method == Payloads.Add;
        _text = text ?? Payloads.Text;
        _outstanding = new Outstanding(this);
    }

    private TinyRpcContender(Func<RpcProtocol, RpcClient> connect, IServerTransport serverTransport, string method, RpcProtocol? protocol, string? text)
    {
        protocol ??= new JsonRpcProtocol();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new BenchService());
        _serverTransport = serverTransport;
        _serving = new RpcServer(serverTransport, protocol, dispatcher).ServeForeverAsync(_stop.Token);
        _client = connect(protocol);
        _proxy = _client.GetProxy<IBenchService>();
        _add = method == Payloads.Add;
        _text = text ?? Payloads.Text;
        _outstanding = new Outstanding(this);
    }

    public Task CallAsync() => _add ? _proxy.AddAsync(Payloads.A, Payloads.B) : _proxy.ReverseStringAsync(_text);

    public Task CallManyAsync(int count) => _outstanding.CallManyAsync(count);

    public async Task VerifyAsync()
    {
        if (_add)
        {
            Check.Equal(42, await _proxy.AddAsync(Payloads.A, Payloads.B), nameof(TinyRpcContender));
        }
        else
        {
            Check.Equal(BenchService.Reverse(_text), await _proxy.ReverseStringAsync(_text), nameof(TinyRpcContender));
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
    private readonly string _text;
    private readonly Outstanding _outstanding;

    private StreamJsonRpcContender(IJsonRpcMessageHandler client, IJsonRpcMessageHandler server, string method, string? text)
    {
        _text = text ?? Payloads.Text;
        _outstanding = new Outstanding(this);
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
    public static StreamJsonRpcContender OverPipesWithMessagePack(IDuplexPipe client, IDuplexPipe server, string method, string? text = null)
        => new(new LengthHeaderMessageHandler(client, new MessagePackFormatter()),
            new LengthHeaderMessageHandler(server, new MessagePackFormatter()), method, text);

    /// <summary>Over two ends of a connection with its MessagePack formatter and 4-byte length prefixes.</summary>
    public static StreamJsonRpcContender OverStreamsWithMessagePack(Stream client, Stream server, string method, string? text = null)
        => new(new LengthHeaderMessageHandler(client, client, new MessagePackFormatter()),
            new LengthHeaderMessageHandler(server, server, new MessagePackFormatter()), method, text);

    /// <summary>Over a pair of in-memory duplex pipes (its fastest path).</summary>
    public static StreamJsonRpcContender OverPipes(IDuplexPipe client, IDuplexPipe server, string method, string? text = null)
        => new(new HeaderDelimitedMessageHandler(client, new SystemTextJsonFormatter()),
            new HeaderDelimitedMessageHandler(server, new SystemTextJsonFormatter()), method, text);

    /// <summary>Over two ends of a connection (TCP's NetworkStream).</summary>
    public static StreamJsonRpcContender OverStreams(Stream client, Stream server, string method, string? text = null)
        => new(new HeaderDelimitedMessageHandler(client, new SystemTextJsonFormatter()),
            new HeaderDelimitedMessageHandler(server, new SystemTextJsonFormatter()), method, text);

    /// <summary>Over the two ends of a WebSocket, one message per JSON-RPC message.</summary>
    public static StreamJsonRpcContender OverWebSockets(WebSocket client, WebSocket server, string method, string? text = null)
        => new(new WebSocketMessageHandler(client, new SystemTextJsonFormatter()),
            new WebSocketMessageHandler(server, new SystemTextJsonFormatter()), method, text);

    public Task CallAsync() => _add
        ? _client.InvokeAsync<int>(Payloads.Add, Payloads.A, Payloads.B)
        : _client.InvokeAsync<string>(Payloads.ReverseString, _text);

    public Task CallManyAsync(int count) => _outstanding.CallManyAsync(count);

    public async Task VerifyAsync()
    {
        if (_add)
        {
            Check.Equal(42, await _client.InvokeAsync<int>(Payloads.Add, Payloads.A, Payloads.B), nameof(StreamJsonRpcContender));
        }
        else
        {
            Check.Equal(BenchService.Reverse(_text), await _client.InvokeAsync<string>(Payloads.ReverseString, _text), nameof(StreamJsonRpcContender));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _server.Dispose();
        await _server.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}
