using System.Globalization;
using System.Text;

namespace TinyRpc.Transports;

/// <summary>
/// The frame in which a ZeroMQ request carries its caller's deadline, before the message: ASCII
/// <c>tinyrpc-deadline:</c> and the deadline in Unix milliseconds (UTC), in decimal digits.
/// </summary>
internal static class ZmqDeadline
{
    private static readonly byte[] s_prefix = Encoding.ASCII.GetBytes("tinyrpc-deadline:");

    /// <summary>The frame of a deadline <paramref name="timeout"/> from now; null when the timeout is infinite.</summary>
    public static byte[]? Frame(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan || timeout.TotalMilliseconds >= int.MaxValue)
        {
            return null;
        }

        long deadline = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)Math.Ceiling(Math.Max(0, timeout.TotalMilliseconds));
        return [.. s_prefix, .. Encoding.ASCII.GetBytes(deadline.ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>Reads a deadline frame; false for any other frame.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out long unixMilliseconds)
    {
        unixMilliseconds = 0;
        return frame.StartsWith(s_prefix)
            && frame.Length - s_prefix.Length is > 0 and <= 19
            && long.TryParse(frame[s_prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out unixMilliseconds);
    }

    /// <summary>A token cancelled at <paramref name="unixMilliseconds"/> (at once when it has passed).</summary>
    public static CancellationToken Token(long unixMilliseconds)
    {
        long left = unixMilliseconds - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (left <= 0)
        {
            return new CancellationToken(canceled: true);
        }

        // Not disposed: the context of a request is its peer's, shared by its requests, so nothing marks the end of
        // one request here; the source's timer goes when it fires, no later than the caller's own timeout.
        var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Min(left, int.MaxValue - 1)));
        return source.Token;
    }
}
