using System.Text;
using TinyRpc;
using TinyRpc.Exceptions;

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
        string reversed = ReverseByCodePoint(s);
        return reversed == s ? throw new PalindromeException() : Task.FromResult(reversed);
    }

    // By code point, as Python's s[::-1]: a character outside the Basic Multilingual Plane (a surrogate pair) stays whole.
    private static string ReverseByCodePoint(string s) => string.Create(s.Length, s, static (reversed, text) =>
    {
        int end = reversed.Length;
        foreach (Rune rune in text.EnumerateRunes())
        {
            end -= rune.Utf16SequenceLength;
            rune.EncodeToUtf16(reversed[end..]);
        }
    });
}
