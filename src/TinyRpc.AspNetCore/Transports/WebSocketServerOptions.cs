using System.Net.WebSockets;

namespace TinyRpc.Transports;

/// <summary>Settings of a <see cref="WebSocketServerTransport"/>.</summary>
public sealed class WebSocketServerOptions
{
    /// <summary>The default of <see cref="MaxMessageSize"/>: 4 MiB, as TinyRpc's stream and WebSocket client transports.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// The largest message accepted, in bytes. Kestrel puts no limit on WebSocket messages; a client that sends a
    /// larger one gets a close with status 1009 (message too big) and is disconnected.
    /// </summary>
    public int MaxMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>The frame type of replies: Text for JSON-RPC (the default), Binary for MSGPACK-RPC. Requests may use either.</summary>
    public WebSocketMessageType MessageType { get; set; } = WebSocketMessageType.Text;

    /// <summary>How many received messages may wait for the server before a connection stops reading; 256 by default.</summary>
    public int MaxQueuedMessages { get; set; } = 256;

    /// <summary>How long a closing handshake may take before the connection is dropped; five seconds by default.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a socket may stay idle, with no request in flight and no message arriving, before the server closes
    /// it (status 1000, "idle timeout"; a client that does not answer the close is dropped after
    /// <see cref="CloseTimeout"/>). Off (<see cref="Timeout.InfiniteTimeSpan"/>) by default. The clock runs only while
    /// no reply is owed on the socket, so a long call in flight keeps it open. Pings do not count as messages: for
    /// pings that find dead peers, set ASP.NET Core's <c>WebSocketOptions.KeepAliveInterval</c> and
    /// <c>KeepAliveTimeout</c>.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = Timeout.InfiniteTimeSpan;
}
