using System.Runtime.InteropServices;
using TinyRpc.Transports;

namespace TinyRpc.Tests;

/// <summary>
/// A transport of a third party, as far as the client and server can tell: it wraps a real in-memory pair and says it
/// can keep owned bytes (<see cref="IOwnedMessageSender"/>, <see cref="IOwnedReplySender"/>), counting which way each
/// message went and keeping the arrays, so that a test can see that a message reached the other side without a copy.
/// </summary>
public sealed class OwnedBytesProbe : IDisposable
{
    private readonly InMemoryClientTransport _client;
    private readonly InMemoryServerTransport _server;
    private int _ownedRequests;
    private int _copiedRequests;
    private int _ownedReplies;
    private int _copiedReplies;

    public OwnedBytesProbe()
    {
        (_client, _server) = InMemoryTransport.CreatePair();
        Channel = new ProbeChannel(this);
        Server = new ProbeServer(this);
    }

    public IMessageChannel Channel { get; }

    public IServerTransport Server { get; }

    public int OwnedRequests => Volatile.Read(ref _ownedRequests);

    public int CopiedRequests => Volatile.Read(ref _copiedRequests);

    public int OwnedReplies => Volatile.Read(ref _ownedReplies);

    public int CopiedReplies => Volatile.Read(ref _copiedReplies);

    /// <summary>The arrays sent as owned requests, and those the server received: the same objects when nothing was copied.</summary>
    public List<byte[]> SentRequestArrays { get; } = [];

    public List<byte[]> ReceivedRequestArrays { get; } = [];

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private static byte[] ArrayOf(ReadOnlyMemory<byte> bytes)
        => MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment) ? segment.Array! : throw new InvalidOperationException("not an array");

    private sealed class ProbeChannel(OwnedBytesProbe probe) : IMessageChannel, IOwnedMessageSender, IDisposable
    {
        public void Dispose() => probe._client.Dispose();

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref probe._copiedRequests);
            return probe._client.SendAsync(message, cancellationToken);
        }

        public ValueTask SendOwnedAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref probe._ownedRequests);
            lock (probe.SentRequestArrays)
            {
                probe.SentRequestArrays.Add(ArrayOf(message));
            }

            return probe._client.SendOwnedAsync(message, cancellationToken);
        }

        public ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default) => probe._client.ReceiveAsync(cancellationToken);
    }

    private sealed class ProbeServer(OwnedBytesProbe probe) : IServerTransport, IOwnedReplySender
    {
        public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
        {
            RpcInboundMessage? message = await probe._server.ReceiveMessageAsync(cancellationToken);
            if (message is { } received)
            {
                lock (probe.ReceivedRequestArrays)
                {
                    probe.ReceivedRequestArrays.Add(ArrayOf(received.Message));
                }
            }

            return message;
        }

        public ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref probe._copiedReplies);
            return probe._server.SendReplyAsync(context, reply, cancellationToken);
        }

        public ValueTask SendOwnedReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref probe._ownedReplies);
            return probe._server.SendOwnedReplyAsync(context, reply, cancellationToken);
        }
    }
}
