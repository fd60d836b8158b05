using System.Text;

namespace TinyRpc.Benchmarks;

/// <summary>Sanity checks run in the setup of each benchmark, so that no contender is measured doing less.</summary>
internal static class Check
{
    public static void SameBytes(ReadOnlySpan<byte> expected, ReadOnlyMemory<byte> actual, string who)
    {
        if (!expected.SequenceEqual(actual.Span))
        {
            throw new InvalidOperationException($"{who} answered {Encoding.UTF8.GetString(actual.Span)}, expected {Encoding.UTF8.GetString(expected)}.");
        }
    }

    public static void Equal<T>(T expected, T actual, string who)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvalidOperationException($"{who} returned {actual}, expected {expected}.");
        }
    }
}
