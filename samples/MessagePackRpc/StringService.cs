using TinyRpc;

namespace MessagePackRpc;

/// <summary>tinyrpc's palindrome example (section 1.6.4): a fixed error code and message.</summary>
public sealed class PalindromeException() : RpcException(99, "Ah, that's cheating!");

[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IStringService
{
    [Public]
    Task<string> ReverseStringAsync(string s);
}

[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class StringService : IStringService
{
    public Task<string> ReverseStringAsync(string s)
    {
        char[] chars = s.ToCharArray();
        Array.Reverse(chars);
        var reversed = new string(chars);
        return reversed == s ? throw new PalindromeException() : Task.FromResult(reversed);
    }
}
