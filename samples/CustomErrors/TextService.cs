using System.Text;
using System.Text.Json.Serialization;
using TinyRpc;
using TinyRpc.Exceptions;

namespace CustomErrors;

/// <summary>tinyrpc's FixedErrorMessageMixin: a fixed code and message; the data says which word.</summary>
public sealed class PalindromeException(string word) : RpcException(99, "Ah, that's cheating", word);

/// <summary>Data a client can read back as a typed object.</summary>
public sealed record SpellingReport(string[] Words);

/// <summary>An error with a code of its own and structured data.</summary>
public sealed class SpellingException(SpellingReport report) : RpcException(-32001, "Some words are misspelt", report);

[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface ITextService
{
    [Public]
    Task<string> ReverseStringAsync(string s);

    [Public]
    Task CheckSpellingAsync(string text);

    [Public]
    Task CrashAsync();
}

[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class TextService : ITextService
{
    private static readonly HashSet<string> Dictionary = ["the", "quick", "brown", "fox"];

    public Task<string> ReverseStringAsync(string s)
    {
        string reversed = ReverseByCodePoint(s);
        return reversed == s ? throw new PalindromeException(s) : Task.FromResult(reversed);
    }

    public Task CheckSpellingAsync(string text)
    {
        string[] wrong = text.Split(' ').Where(w => !Dictionary.Contains(w)).ToArray();
        return wrong.Length > 0 ? throw new SpellingException(new SpellingReport(wrong)) : Task.CompletedTask;
    }

    public Task CrashAsync()
    {
        string? nothing = Environment.GetEnvironmentVariable("TINYRPC_SAMPLE_UNSET_VARIABLE");
        return Task.FromResult(nothing!.Length);
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

[JsonSerializable(typeof(SpellingReport))]
internal sealed partial class ErrorsJsonContext : JsonSerializerContext;
