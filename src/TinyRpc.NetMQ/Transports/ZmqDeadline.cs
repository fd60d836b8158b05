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

        // Rounded down, so that the deadline is never later than the moment the call gives up.
        long deadline = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)Math.Max(0, timeout.TotalMilliseconds);
        return [.. s_prefix, .. Encoding.ASCII.GetBytes(deadline.ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>Reads a deadline frame; false for any other frame. A deadline beyond the calendar is taken as its last moment.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out DateTimeOffset deadline)
    {
        deadline = default;
        if (!frame.StartsWith(s_prefix)
            || frame.Length - s_prefix.Length is <= 0 or > 19
            || !long.TryParse(frame[s_prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long milliseconds))
        {
            return false;
        }

        deadline = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(milliseconds, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
        return true;
    }
}
