using System.Text;
using Microsoft.Extensions.Logging;

namespace TinyRpc.Dispatch;

/// <summary>Ready-made <see cref="RpcTrace"/> hooks.</summary>
public static partial class RpcTraces
{
    /// <summary>
    /// A trace that logs every message at <paramref name="level"/>, as UTF-8 text when it is text and as a
    /// byte count otherwise, shortened to <paramref name="maxLength"/> characters.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1873", Justification = "Guarded by ILogger.IsEnabled for the dynamic level.")]
    public static RpcTrace ToLogger(ILogger logger, LogLevel level = LogLevel.Debug, int maxLength = 2048)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return (direction, context, message) =>
        {
            if (logger.IsEnabled(level))
            {
                LogMessage(logger, level, direction, context?.ToString() ?? "-", Describe(message.Span, maxLength));
            }
        };
    }

    private static string Describe(ReadOnlySpan<byte> message, int maxLength)
    {
        if (message.IsEmpty)
        {
            return "(no reply)";
        }

        if (message[0] is (byte)'{' or (byte)'[')
        {
            string text = Encoding.UTF8.GetString(message.Length > maxLength ? message[..maxLength] : message);
            return message.Length > maxLength ? text + "…" : text;
        }

        return $"({message.Length} bytes) {Convert.ToHexString(message.Length > 64 ? message[..64] : message)}";
    }

    [LoggerMessage(EventId = 1, Message = "{Direction} [{Context}] {Message}")]
    private static partial void LogMessage(ILogger logger, LogLevel level, string direction, string context, string message);
}
