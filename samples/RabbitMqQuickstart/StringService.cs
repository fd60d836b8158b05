using TinyRpc;

namespace RabbitMqQuickstart;

/// <summary>The contract the client calls; the generator makes a proxy for it.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IStringService
{
    /// <summary>Served as <c>reverse_string</c>, the name tinyrpc's quickstart uses.</summary>
    [Public]
    Task<string> ReverseStringAsync(string s);
}

/// <summary>The implementation the server runs; the generator makes a dispatch table for it.</summary>
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
