using TinyRpc;

namespace DuplexChat;

/// <summary>What a member calls on the chat room (the server).</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IChatRoom
{
    /// <summary>Joins under <paramref name="name"/>; the room asks the caller to introduce itself and tells everyone. Returns how many are in the room.</summary>
    [Public]
    Task<int> JoinAsync(string name);

    /// <summary>Tells every member, the speaker too; returns how many were told.</summary>
    [Public]
    Task<int> SayAsync(string text);
}

/// <summary>What the room calls back on a member: a service each client serves over its own connection.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IChatMember
{
    /// <summary>A call with a reply: the member's line about itself.</summary>
    [Public]
    Task<string> IntroduceAsync();

    /// <summary>A notification: a line said in the room.</summary>
    [Public]
    [OneWay]
    Task HeardAsync(string from, string text);
}
