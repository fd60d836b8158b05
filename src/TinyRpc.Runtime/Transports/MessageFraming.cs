namespace TinyRpc.Transports;

/// <summary>How messages are delimited on a byte stream.</summary>
public enum MessageFraming
{
    /// <summary>
    /// Each message is preceded by headers ending in an empty line, one of them <c>Content-Length: N</c>,
    /// as in the Language Server Protocol. Safe for any payload, binary included.
    /// </summary>
    ContentLength = 0,

    /// <summary>Each message is one line ending in <c>\n</c> (a preceding <c>\r</c> is dropped). For JSON without raw newlines.</summary>
    NewlineDelimited,
}
