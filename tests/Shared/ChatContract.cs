using System.Collections.Concurrent;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Duplex;

/// <summary>What a chat client calls on the server.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IChatServer
{
    /// <summary>Joins under <paramref name="name"/>; returns how many are in the room.</summary>
    [Public]
    Task<int> JoinAsync(string name);

    /// <summary>Tells every client in the room (the speaker too); returns how many were told.</summary>
    [Public]
    Task<int> SayAsync(string text);

    /// <summary>The server asks the caller <paramref name="question"/> back and returns the answer it gave.</summary>
    [Public]
    Task<string> AskBackAsync(string question);
}

/// <summary>What the server calls back on a chat client: a service the client registers.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IChatClient
{
    [Public]
    Task<string> AnswerAsync(string question);

    [Public]
    [OneWay]
    Task HeardAsync(string from, string text);
}

/// <summary>The server of the chat: it calls its clients back through the connection each request came over.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public partial class ChatServer
{
    private readonly ConcurrentDictionary<RpcConnection, string> _names = new();

    /// <summary>Whom to tell: every connected client, or those of a server's <see cref="RpcServer.Connections"/>.</summary>
    public Func<IReadOnlyList<RpcConnection>>? Room { get; set; }

    [Public]
    public Task<int> JoinAsync(string name, RpcConnection connection)
    {
        _names[connection] = name;
        return Task.FromResult(_names.Count);
    }

    [Public]
    public async Task<int> SayAsync(string text, RpcConnection connection)
    {
        string from = _names.TryGetValue(connection, out string? name) ? name : "?";
        IReadOnlyList<RpcConnection> room = Room?.Invoke() ?? [.. _names.Keys];
        foreach (RpcConnection member in room)
        {
            await member.GetProxy<IChatClient>().HeardAsync(from, text);
        }

        return room.Count;
    }

    [Public]
    public Task<string> AskBackAsync(string question, RpcConnection connection)
        => connection.GetProxy<IChatClient>().AnswerAsync(question);
}

/// <summary>A chat client's own service: answers the server's questions and collects what it hears.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public partial class ChatClient(string name) : IChatClient
{
    private readonly System.Threading.Channels.Channel<string> _heard = System.Threading.Channels.Channel.CreateUnbounded<string>();

    public Task<string> AnswerAsync(string question) => Task.FromResult($"{name} answers {question}");

    public Task HeardAsync(string from, string text)
    {
        _heard.Writer.TryWrite($"{from}: {text}");
        return Task.CompletedTask;
    }

    /// <summary>The next line heard, within <paramref name="limit"/>.</summary>
    public async Task<string> NextHeardAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        return await _heard.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>A dispatcher serving this client, for its connection.</summary>
    public RpcDispatcher Dispatcher()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(this);
        return dispatcher;
    }
}
