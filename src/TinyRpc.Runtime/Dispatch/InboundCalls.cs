using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// The requests one connection's peer has sent that are running now, by id, so that the peer's
/// <c>$/cancelRequest</c> (<see cref="RpcProtocol.CancelRequestMethod"/>) cancels the one it names, and the end of the
/// connection cancels them all.
/// </summary>
/// <remarks>
/// Concurrency: <see cref="Start"/>, <see cref="End"/>, <see cref="Cancel"/> and <see cref="CancelAll"/> may be called
/// from any thread at once. Requests and their cancels are handled concurrently, so a cancel may be handled before the
/// request it names has started: it is remembered (the last <see cref="EarlyCancelsKept"/> of them) and the request
/// starts cancelled.
/// </remarks>
internal sealed class InboundCalls(object connection)
{
    internal const int EarlyCancelsKept = 64;

    // Under _gate: a plain dictionary reuses its entries, where a concurrent one allocates a node per request.
    private readonly Dictionary<RpcId, CancellationTokenSource> _running = [];
    private CancellationToken _outer;
    private CancellationTokenRegistration _outerRegistration;
    private readonly Lock _gate = new();
    private readonly Queue<RpcId> _earlyOrder = new();
    private readonly HashSet<RpcId> _early = [];
    private volatile bool _ended;

    /// <summary>The connection the requests came over (what <c>RpcConnection.Of(request)</c> returns).</summary>
    public object Connection => connection;

    /// <summary>The streams this connection produces and the progress its calls wait for (docs/streaming.md).</summary>
    public ConnectionStreams Streams { get; } = new();

    /// <summary>Whether a request that comes in now starts cancelled: the connection has ended.</summary>
    public bool Ended => _ended;

    /// <summary>
    /// Registers the request with <paramref name="id"/> as running and returns the source of its token, cancelled by
    /// <paramref name="outer"/>, by a cancel of this id, or by the end of the connection. Null when the id is already
    /// running (a peer that reuses an id gets no cancellation for the second request).
    /// </summary>
    public CancellationTokenSource? Start(RpcId id, CancellationToken outer)
    {
        WatchOuter(outer);

        // A plain source, not linked to the outer token (watched once for all requests): no registration per request.
        // Not pooled either: a method may keep its token, or a registration on it, after its call has ended.
        var source = new CancellationTokenSource();
        bool cancelledEarly;
        lock (_gate)
        {
            if (!_running.TryAdd(id, source))
            {
                source.Dispose();
                return null;
            }

            cancelledEarly = _early.Count > 0 && _early.Remove(id);
        }

        if (cancelledEarly || _ended || outer.IsCancellationRequested)
        {
            source.Cancel();
        }

        return source;
    }

    /// <summary>Ends the request registered by <see cref="Start"/>.</summary>
    public void End(RpcId id, CancellationTokenSource source)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(id, out CancellationTokenSource? current) && ReferenceEquals(current, source))
            {
                _running.Remove(id);
            }
        }

        source.Dispose();
    }

    // The token every request of the connection also obeys (the server's abort, the connection's disposal) is the
    // same for all of them: it is watched once, and cancels whatever runs when it fires.
    private void WatchOuter(CancellationToken outer)
    {
        if (!outer.CanBeCanceled || outer == _outer)
        {
            return;
        }

        lock (_gate)
        {
            if (outer == _outer)
            {
                return;
            }

            _outerRegistration.Dispose();
            _outer = outer;
            _outerRegistration = outer.UnsafeRegister(static state => ((InboundCalls)state!).CancelRunning(), this);
        }
    }



    /// <summary>Cancels the request with <paramref name="id"/>, now or when it starts.</summary>
    public void Cancel(RpcId id)
    {
        CancellationTokenSource? source;
        lock (_gate)
        {
            if (!_running.TryGetValue(id, out source) && _early.Add(id))
            {
                // The request has not started yet, or has ended already: remember the id for a while. Start looks
                // at the ids under the same lock, so a request cannot start between the look-up and the remembering.
                _earlyOrder.Enqueue(id);
                if (_earlyOrder.Count > EarlyCancelsKept)
                {
                    _early.Remove(_earlyOrder.Dequeue());
                }
            }
        }

        if (source is not null)
        {
            TryCancel(source);
        }
    }

    /// <summary>Cancels every running request, and every one that starts from now on: the connection has ended.</summary>
    public void CancelAll()
    {
        _ended = true;
        CancelRunning();
    }

    private void CancelRunning()
    {
        CancellationTokenSource[] running;
        lock (_gate)
        {
            running = [.. _running.Values];
        }

        foreach (CancellationTokenSource source in running)
        {
            TryCancel(source);
        }
    }

    private static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The request ended meanwhile.
        }
    }
}
