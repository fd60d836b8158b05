using System.Collections.Concurrent;
using TinyRpc;
using TinyRpc.Client;

namespace DuplexChat;

/// <summary>
/// The server's service. Each method takes the caller's <see cref="RpcConnection"/>, which the server supplies
/// (the client sends no such argument), and reaches members through generated <see cref="IChatMember"/> proxies.
/// </summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public partial class ChatRoom
{
    private readonly ConcurrentDictionary<RpcConnection, string> _members = new();

    [Public]
    public async Task<int> JoinAsync(string name, RpcConnection connection)
    {
        // A call back to the caller, made while its own call is being served, over the same connection.
        string introduction = await connection.GetProxy<IChatMember>().IntroduceAsync();
        _members[connection] = name;
        await TellEveryoneAsync("room", $"{name} joined ({introduction})");
        return _members.Count;
    }

    [Public]
    public Task<int> SayAsync(string text, RpcConnection connection)
        => TellEveryoneAsync(_members.TryGetValue(connection, out string? name) ? name : "?", text);

    private async Task<int> TellEveryoneAsync(string from, string text)
    {
        foreach (RpcConnection member in _members.Keys)
        {
            await member.GetProxy<IChatMember>().HeardAsync(from, text);
        }

        return _members.Count;
    }
}
