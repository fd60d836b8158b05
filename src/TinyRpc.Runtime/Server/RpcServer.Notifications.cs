using System.Threading.Channels;
using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Server;

public partial class RpcServer
{
    // A duplex client's notifications waiting to start, before the server stops reading (back-pressure).
    private const int MaxNotificationsQueued = 1024;

    // Queues a duplex client's notification to be started after the ones it sent before (docs/duplex.md, Order). It is
    // counted in flight from now, so that stopping waits for it as it does for a request.
    private async ValueTask QueueNotificationAsync(RpcInboundMessage message, InFlightRequests inFlight, CancellationToken cancellationToken)
    {
        PeerChannel peer = Peer(message.Context!);
        peer.StartNotifications(this, inFlight);
        inFlight.Enter();
        peer.Connection.NotificationQueued();
        if (peer.TryQueueNotification(message))
        {
            return;
        }

        try
        {
            await peer.QueueNotificationAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The client left while its message was being read: it still runs, as its requests do, but in no order.
            peer.Connection.NotificationStarted();
            inFlight.Leave();
            inFlight.Start(message);
        }
        catch (OperationCanceledException)
        {
            peer.Connection.NotificationStarted(); // never starts: nothing waits for it
            inFlight.Leave();
            throw;
        }
    }

    // Starts one client's notifications in the order they came: each runs until its first wait before the next starts,
    // in a slot of the server's, as a request does. The ones the connection handles itself ($/progress, $/cancelRequest,
    // $/enumerator/abort) take no slot: they run none of the server's methods, and must get through while the methods
    // holding every slot wait for them (a method waiting for the reports of its call back, or for its own cancel).
    private async Task StartNotificationsInOrderAsync(PeerChannel peer, ChannelReader<RpcInboundMessage> queue, InFlightRequests inFlight)
    {
        while (await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            while (queue.TryRead(out RpcInboundMessage message))
            {
                bool ownMessage = IsConnectionNotification(message.Message);
                if (!ownMessage)
                {
                    try
                    {
                        await inFlight.Slots.WaitAsync(inFlight.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The server stopped and its shutdown timeout passed: what has not started, never will.
                        peer.Connection.NotificationStarted();
                        inFlight.Leave();
                        continue;
                    }
                }

                _ = HandleNotificationAsync(message, inFlight, ownMessage);
                peer.Connection.NotificationStarted();
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

    // Read only for notifications that may name one ("$/" is in them): others are not parsed twice.
    private bool IsConnectionNotification(ReadOnlyMemory<byte> message)
    {
        if (message.Span.IndexOf("$/"u8) < 0)
        {
            return false;
        }

        try
        {
            return Protocol.ParseRequest(message) is RpcRequest { OneWay: true } request
                && request.Method is RpcProtocol.ProgressMethod or RpcProtocol.CancelRequestMethod or RpcProtocol.EnumeratorAbortMethod;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false; // answered as any bad message, in its turn
        }
    }

    private sealed partial class PeerChannel
    {
        private readonly Channel<RpcInboundMessage> _notifications = System.Threading.Channels.Channel.CreateBounded<RpcInboundMessage>(
            new BoundedChannelOptions(MaxNotificationsQueued) { SingleReader = true, SingleWriter = true });
        private int _notificationsStarted;

        /// <summary>Starts, once, the loop that starts this client's notifications in order.</summary>
        public void StartNotifications(RpcServer server, InFlightRequests inFlight)
        {
            if (_notificationsStarted == 0 && Interlocked.Exchange(ref _notificationsStarted, 1) == 0)
            {
                _ = server.StartNotificationsInOrderAsync(this, _notifications.Reader, inFlight);
            }
        }

        public bool TryQueueNotification(RpcInboundMessage message) => _notifications.Writer.TryWrite(message);

        public ValueTask QueueNotificationAsync(RpcInboundMessage message, CancellationToken cancellationToken)
            => _notifications.Writer.WriteAsync(message, cancellationToken);
    }
}
