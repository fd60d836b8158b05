using System.Text;
using TinyRpc;

namespace Quickstart;

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
    public Task<string> ReverseStringAsync(string s) => Task.FromResult(ReverseByCodePoint(s));

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
