namespace TinyRpc.Transports;

/// <summary>
/// A client and server transport joined in memory, for tests and for in-process use. Messages passed to
/// <see cref="InMemoryClientTransport.SendAsync"/> and <see cref="InMemoryServerTransport.SendReplyAsync"/> are copied
/// on the way, so neither side sees the other's buffers.
/// </summary>
public static class InMemoryTransport
{
    /// <summary>Creates a connected pair. Disposing the client ends the server's receive loop.</summary>
    public static (InMemoryClientTransport Client, InMemoryServerTransport Server) CreatePair()
    {
        var requests = new MessageQueue();
        var replies = new MessageQueue();
        return (new InMemoryClientTransport(requests, replies), new InMemoryServerTransport(requests, replies));
    }
}
