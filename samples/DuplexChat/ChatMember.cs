using System.Threading.Channels;
using TinyRpc;

namespace DuplexChat;

/// <summary>A client's own service: the room calls it back through the client's connection.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public partial class ChatMember(string name, string likes) : IChatMember
{
    private readonly Channel<string> _heard = Channel.CreateUnbounded<string>();

    public string Name => name;

    public Task<string> IntroduceAsync() => Task.FromResult($"{name} likes {likes}");

    public Task HeardAsync(string from, string text)
    {
        _heard.Writer.TryWrite($"{from}: {text}");
        return Task.CompletedTask;
    }

    /// <summary>The next line heard, or an exception when none comes within <paramref name="limit"/>.</summary>
    public async Task<string> NextHeardAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        return await _heard.Reader.ReadAsync(timeout.Token);
    }
}
