using TinyRpc.Dispatch;
using TinyRpc.Protocols;

namespace TinyRpc.Client;

public sealed partial class RpcConnection
{
    private readonly Lock _notificationWaitersGate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _notificationWaiters = [];
    private long _notificationsQueued;
    private long _notificationsStarted;
    private volatile int _notificationWaiterCount;

    // The streams this side produces for the other, and the progress of this side's calls.
    internal ConnectionStreams Streams => Inbound.Streams;

    /// <summary>
    /// How many streams this side produces for the other now: the <see cref="IAsyncEnumerable{T}"/> results of methods
    /// served over this connection that have not finished, been stopped by their consumer, or ended with the connection
    /// (which stops them all). See docs/streaming.md.
    /// </summary>
    public int OpenStreams => Inbound.Streams.OpenProducers;

    /// <summary>
    /// Completes when every notification of the connection's own (<c>$/progress</c>, <c>$/cancelRequest</c>,
    /// <c>$/enumerator/abort</c>) received so far has been started (each runs until its first wait, in order): a call's
    /// progress reports, sent before its reply, have then reached the caller's <see cref="IProgress{T}"/>. They start on
    /// the receive loop as they come, before the reply behind them is read, so this is met by then; on the server's
    /// side of a client, the server starts them and counts them here.
    /// </summary>
    internal Task WhenNotificationsStartedAsync(long target = -1)
    {
        if (target < 0)
        {
            target = Volatile.Read(ref _notificationsQueued);
        }

        if (Volatile.Read(ref _notificationsStarted) >= target)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_notificationWaitersGate)
        {
            _notificationWaiters.Add((target, done));
            _notificationWaiterCount = _notificationWaiters.Count;
        }

        // Started meanwhile, or the connection has ended (no more will start).
        if (Volatile.Read(ref _notificationsStarted) >= target || Disposing.IsCancellationRequested || ReceiveLoop is { IsCompleted: true })
        {
            ReleaseNotificationWaiters(all: true);
        }

        return done.Task;
    }

    /// <summary>The place in the order of the connection's own notifications of the one starting now (1 for the first).</summary>
    internal long StartingNotification => Volatile.Read(ref _notificationsStarted) + 1;

    /// <summary>How many of the connection's own notifications have been received so far.</summary>
    internal long NotificationsQueued => Volatile.Read(ref _notificationsQueued);

    /// <summary>On the server's side of a client: the server has received one of the connection's own notifications.</summary>
    internal void NotificationQueued() => Interlocked.Increment(ref _notificationsQueued);

    // On the receive loop: a call that waits for progress learns how many notifications came before its reply; those
    // that come after are dropped. On the server's side of a client the server read the reply and counted them when
    // it did, and the channel hands that count over with the reply.
    private protected override void OnReply(RpcResponse response)
    {
        long before = _replySource is { } source ? source.NotificationsBeforeReply : Volatile.Read(ref _notificationsQueued);
        Inbound.Streams.ReplyReceived(response.Id, before);
    }

    /// <summary>A notification has been started (it has run until its first wait), or will never start.</summary>
    internal void NotificationStarted()
    {
        Interlocked.Increment(ref _notificationsStarted);
        if (_notificationWaiterCount > 0)
        {
            ReleaseNotificationWaiters(all: false);
        }
    }

    private void ReleaseNotificationWaiters(bool all)
    {
        long started = Volatile.Read(ref _notificationsStarted);
        List<TaskCompletionSource>? released = null;
        lock (_notificationWaitersGate)
        {
            for (int i = _notificationWaiters.Count - 1; i >= 0; i--)
            {
                if (all || _notificationWaiters[i].Target <= started)
                {
                    (released ??= []).Add(_notificationWaiters[i].Done);
                    _notificationWaiters.RemoveAt(i);
                }
            }

            _notificationWaiterCount = _notificationWaiters.Count;
        }

        released?.ForEach(static done => done.TrySetResult());
    }

    // The connection has ended: the streams it produced stop, and calls waiting for their reports wait no longer.
    private void EndStreams()
    {
        Inbound.Streams.CloseAll();
        ReleaseNotificationWaiters(all: true);
    }
}

/// <summary>
/// A channel whose replies were read by someone else (the server, for its side of a client), who counted the
/// notifications that came before each: the count for the reply the channel handed over last.
/// </summary>
internal interface IOrderedReplySource
{
    long NotificationsBeforeReply { get; }
}
