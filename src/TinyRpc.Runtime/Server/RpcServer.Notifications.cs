using System.Threading.Channels;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Server;

public partial class RpcServer
{
    // A duplex client's notifications waiting to start, before the server stops reading (back-pressure).
    private const int MaxNotificationsQueued = 1024;

    // Messages of duplex clients in their queues, not started yet: while there are none, a request takes no look at them.
    private int _queuedInOrder;

    // Whether a request of a duplex client must wait behind notifications it sent before, which have not started yet:
    // so that it does not take a slot before them (with MaxConcurrency 1, messages are handled in the order they came).
    // One read of a counter per request while no client has notifications waiting.
    private bool MustQueueBehindNotifications(RpcInboundMessage message)
        => Volatile.Read(ref _queuedInOrder) > 0 && message.Context is { } context
            && _peers!.TryGetValue(context, out PeerChannel? peer) && peer.Queued > 0;

    // A notification the connection handles itself ($/progress, $/cancelRequest, $/enumerator/abort) starts at once, on
    // the receive loop, in no slot: it runs none of the server's methods, and the methods holding every slot may be
    // waiting for it (a method waiting for the reports of its call back, or for its own cancel). Queued behind the
    // client's other notifications, it would wait for a slot those hold. The connection counts these, in the order they
    // came: a reply to the server's call back then says how many of them came before it (RemoteProgress).
    private void StartConnectionNotification(RpcInboundMessage message, InFlightRequests inFlight)
    {
        RpcConnection connection = Peer(message.Context!).Connection;
        connection.NotificationQueued();
        inFlight.Enter();
        _ = HandleNotificationAsync(message, inFlight, withoutSlot: true); // runs until its first wait
        connection.NotificationStarted();
    }

    // Queues a duplex client's notification (or a request behind its notifications) to be started after the messages it
    // sent before (docs/duplex.md, Order). It is counted in flight from now, so that stopping waits for it as for a request.
    private async ValueTask QueueInOrderAsync(RpcInboundMessage message, bool request, InFlightRequests inFlight, CancellationToken cancellationToken)
    {
        PeerChannel peer = Peer(message.Context!);
        peer.StartQueue(this, inFlight);
        inFlight.Enter();
        peer.Enqueued(this);
        if (peer.TryQueue(message, request))
        {
            return;
        }

        try
        {
            await peer.QueueAsync(message, request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The client left while its message was being read: it still runs, as its requests do, but in no order.
            peer.Dequeued(this);
            inFlight.Leave();
            if (inFlight.Slots.Wait(0, CancellationToken.None))
            {
                inFlight.Start(message);
            }
            else
            {
                inFlight.StartWhenSlotFree(message);
            }
        }
        catch (OperationCanceledException)
        {
            peer.Dequeued(this); // never starts: nothing waits for it
            inFlight.Leave();
            throw;
        }
    }

    // Starts one client's queued messages in the order they came. A notification runs until its first wait before the
    // next starts, in a slot of the server's, as a request does; a request queued behind notifications is handed to the
    // thread pool once it has its slot.
    private async Task StartInOrderAsync(PeerChannel peer, ChannelReader<(RpcInboundMessage Message, bool Request)> queue, InFlightRequests inFlight)
    {
        while (await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            while (queue.TryRead(out (RpcInboundMessage Message, bool Request) item))
            {
                try
                {
                    await inFlight.Slots.WaitAsync(inFlight.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The server stopped and its shutdown timeout passed: what has not started, never will.
                    peer.Dequeued(this);
                    inFlight.Leave();
                    continue;
                }

                if (item.Request)
                {
                    inFlight.Queue(item.Message);
                }
                else
                {
                    _ = HandleNotificationAsync(item.Message, inFlight, withoutSlot: false);
                }

                peer.Dequeued(this);
            }
        }
    }

    private async Task HandleNotificationAsync(RpcInboundMessage message, InFlightRequests inFlight, bool withoutSlot)
    {
        try
        {
            await HandleAndReplyAsync(message, inFlight.Token).ConfigureAwait(false);
        }
        finally
        {
            if (withoutSlot)
            {
                inFlight.Leave();
            }
            else
            {
                inFlight.Finish();
            }
        }
    }

    private sealed partial class PeerChannel
    {
        private readonly Channel<(RpcInboundMessage, bool)> _queue = System.Threading.Channels.Channel.CreateBounded<(RpcInboundMessage, bool)>(
            new BoundedChannelOptions(MaxNotificationsQueued) { SingleReader = true, SingleWriter = true });
        private int _queueStarted;
        private int _queued;

        /// <summary>Messages queued and not started yet.</summary>
        public int Queued => Volatile.Read(ref _queued);

        /// <summary>Starts, once, the loop that starts this client's queued messages in order.</summary>
        public void StartQueue(RpcServer server, InFlightRequests inFlight)
        {
            if (_queueStarted == 0 && Interlocked.Exchange(ref _queueStarted, 1) == 0)
            {
                _ = server.StartInOrderAsync(this, _queue.Reader, inFlight);
            }
        }

        public void Enqueued(RpcServer server)
        {
            Interlocked.Increment(ref _queued);
            Interlocked.Increment(ref server._queuedInOrder);
        }

        public void Dequeued(RpcServer server)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Decrement(ref server._queuedInOrder);
        }

        public bool TryQueue(RpcInboundMessage message, bool request) => _queue.Writer.TryWrite((message, request));

        public ValueTask QueueAsync(RpcInboundMessage message, bool request, CancellationToken cancellationToken)
            => _queue.Writer.WriteAsync((message, request), cancellationToken);

        private void CompleteQueue() => _queue.Writer.TryComplete(); // those queued still start, in order
    }
}
