using TinyRpc;

namespace TinyRpcColdStart;

/// <summary>The contract the client calls through a generated proxy; served as <c>reverse_string</c>.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IStringService
{
    [Public]
    Task<string> ReverseStringAsync(string s);
}

/// <summary>The implementation the server runs through a generated dispatch table.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class StringService : IStringService
{
    public Task<string> ReverseStringAsync(string s)
    {
        char[] chars = s.ToCharArray();
        Array.Reverse(chars);
        return Task.FromResult(new string(chars));
    }
}
