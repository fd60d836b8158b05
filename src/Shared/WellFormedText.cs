// Linked into both protocol packages (JSON-RPC in TinyRpc.Runtime, MSGPACK-RPC in TinyRpc.MessagePack), which refuse
// malformed text alike; each package compiles its own internal copy rather than opening its internals to the other.
namespace TinyRpc.Protocols;

/// <summary>
/// Text as the wire needs it. Both protocols send strings as UTF-8, which cannot encode a surrogate without its
/// pair; .NET's encoders would put U+FFFD in its place without a word. TinyRpc refuses such a string instead, so
/// that a value is sent exactly or not at all.
/// </summary>
internal static class WellFormedText
{
    /// <summary>Throws when <paramref name="text"/> holds a lone surrogate; costs one vectorized search otherwise.</summary>
    /// <exception cref="ArgumentException">The text is not well-formed UTF-16.</exception>
    public static void Check(string text)
    {
        int at = FindLoneSurrogate(text);
        if (at >= 0)
        {
            throw new ArgumentException(
                $"The string holds a lone surrogate (U+{(int)text[at]:X4} at index {at}), which UTF-8 cannot encode; it is refused rather than sent altered.");
        }
    }

    /// <summary>True when <paramref name="text"/> holds no lone surrogate.</summary>
    public static bool IsWellFormed(string text) => FindLoneSurrogate(text) < 0;

    private static int FindLoneSurrogate(string text)
    {
        ReadOnlySpan<char> rest = text;
        int offset = 0;
        while (true)
        {
            int i = rest.IndexOfAnyInRange('\uD800', '\uDFFF');
            if (i < 0)
            {
                return -1;
            }

            if (!char.IsHighSurrogate(rest[i]) || i + 1 == rest.Length || !char.IsLowSurrogate(rest[i + 1]))
            {
                return offset + i;
            }

            rest = rest[(i + 2)..];
            offset += i + 2;
        }
    }
}
