using System.Threading.Tasks.Sources;
using TinyRpc.Protocols;

namespace TinyRpc.Client;

/// <summary>
/// The calls awaiting their reply on one full-duplex connection, by id, and a pool of reusable waiters.
/// Every way a call ends (its reply, its deadline, its cancellation, the connection failing) first takes the
/// call off this table under the lock; only the one that took it completes its waiter, so a waiter is completed
/// once, and a waiter goes back to the pool only after its caller has read the outcome.
/// </summary>
internal sealed class PendingCallTable
{
    private const int MaxPooled = 256;

    private readonly Lock _lock = new();
    private readonly Dictionary<RpcId, ReplyWaiter> _calls = [];
    private readonly Stack<ReplyWaiter> _pool = new();
    private Exception? _closed;

    /// <summary>
    /// Called with the id of a call its caller gave up on (cancelled, or timed out by <see cref="TakeOverdue"/>'s
    /// caller), after its waiter has failed: the client tells the other side, which may still be running it.
    /// </summary>
    public Action<RpcId>? Abandoned { get; set; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>Registers a call; throws when the id is outstanding or the connection has failed.</summary>
    public ReplyWaiter Add(RpcId id, long deadline, CancellationToken cancellationToken) => Add(id, deadline, cancellationToken, out _);

    /// <summary>Registers a call, and tells whether other calls were outstanding when it was added.</summary>
    public ReplyWaiter Add(RpcId id, long deadline, CancellationToken cancellationToken, out bool othersOutstanding)
    {
        ReplyWaiter waiter;
        lock (_lock)
        {
            if (_closed is { } dead)
            {
                throw new Exceptions.RpcTransportException("The connection is closed: " + dead.Message, dead);
            }

            if (_calls.ContainsKey(id))
            {
                throw new InvalidOperationException($"A call with id {id} is already outstanding.");
            }

            waiter = _pool.TryPop(out ReplyWaiter? pooled) ? pooled : new ReplyWaiter(this);
            waiter.Start(id, deadline);
            othersOutstanding = _calls.Count > 0;
            _calls.Add(id, waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            // Registered after the call is on the table: a token already cancelled takes it off at once.
            waiter.WatchCancellation(cancellationToken);
        }

        return waiter;
    }

    /// <summary>Takes the call with <paramref name="id"/> off the table; its waiter is then the caller's to complete.</summary>
    public bool TryTake(RpcId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ReplyWaiter? waiter)
    {
        lock (_lock)
        {
            return _calls.Remove(id, out waiter);
        }
    }

    /// <summary>Takes <paramref name="waiter"/> off the table if it is still there for <paramref name="id"/>.</summary>
    public bool TryTake(RpcId id, ReplyWaiter waiter)
    {
        lock (_lock)
        {
            return _calls.TryGetValue(id, out ReplyWaiter? current) && ReferenceEquals(current, waiter) && _calls.Remove(id);
        }
    }

    /// <summary>Takes the calls whose deadline has passed off the table.</summary>
    public List<ReplyWaiter>? TakeOverdue(long now)
    {
        List<ReplyWaiter>? overdue = null;
        lock (_lock)
        {
            foreach (ReplyWaiter waiter in _calls.Values)
            {
                if (waiter.Deadline <= now)
                {
                    (overdue ??= []).Add(waiter);
                }
            }

            if (overdue is not null)
            {
                foreach (ReplyWaiter waiter in overdue)
                {
                    _calls.Remove(waiter.Id);
                }
            }
        }

        return overdue;
    }

    /// <summary>Fails the calls outstanding now with <paramref name="failure"/>; later registrations go on as usual.</summary>
    public void FailAll(Exception failure)
    {
        foreach (ReplyWaiter waiter in TakeAll())
        {
            waiter.SetException(failure);
        }
    }

    /// <summary>Completes the calls outstanding now with <paramref name="response"/>; later registrations go on as usual.</summary>
    public void CompleteAll(RpcResponse response)
    {
        foreach (ReplyWaiter waiter in TakeAll())
        {
            waiter.SetResult(response);
        }
    }

    private ReplyWaiter[] TakeAll()
    {
        lock (_lock)
        {
            ReplyWaiter[] taken = [.. _calls.Values];
            _calls.Clear();
            return taken;
        }
    }

    /// <summary>Fails every call and every later registration with <paramref name="failure"/>.</summary>
    public void Close(Exception failure)
    {
        ReplyWaiter[] failed;
        lock (_lock)
        {
            _closed ??= failure;
            failed = [.. _calls.Values];
            _calls.Clear();
        }

        foreach (ReplyWaiter waiter in failed)
        {
            waiter.SetException(failure);
        }
    }

    internal void Return(ReplyWaiter waiter)
    {
        lock (_lock)
        {
            if (_pool.Count < MaxPooled)
            {
                _pool.Push(waiter);
            }
        }
    }
}

/// <summary>
/// Waits for the reply to one call; reused for later calls once its outcome has been read. Awaited once, through
/// <see cref="AsValueTask"/>.
/// </summary>
internal sealed class ReplyWaiter : IValueTaskSource<RpcResponse>
{
    private readonly PendingCallTable _owner;
    private ManualResetValueTaskSourceCore<RpcResponse> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;
    private bool _awaited;

    internal ReplyWaiter(PendingCallTable owner) => _owner = owner;

    public RpcId Id { get; private set; }

    /// <summary>When the call times out, in <see cref="Environment.TickCount64"/> milliseconds.</summary>
    public long Deadline { get; private set; }

    public ValueTask<RpcResponse> AsValueTask() => new(this, _core.Version);

    /// <summary>The ids of the batch this call was sent in; null for a call sent alone.</summary>
    public RpcId[]? Batch { get; set; }

    internal void Start(RpcId id, long deadline)
    {
        Id = id;
        Deadline = deadline;
    }

    internal void WatchCancellation(CancellationToken cancellationToken)
        => _cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var waiter = (ReplyWaiter)state!;
            RpcId id = waiter.Id; // read before completing: a completed waiter may be reused at once
            if (waiter._owner.TryTake(id, waiter))
            {
                waiter.SetException(new OperationCanceledException(token));
                waiter._owner.Abandoned?.Invoke(id);
            }
        }, this);

    // Called only by whoever took the call off the table, once.
    public void SetResult(RpcResponse response) => _core.SetResult(response);

    public void SetException(Exception error) => _core.SetException(error);

    /// <summary>Gives back a waiter that was taken off the table before anyone completed it (its send failed).</summary>
    public void Recycle()
    {
        _cancellation.Dispose();
        _cancellation = default;
        Reset();
    }

    public RpcResponse GetResult(short token)
    {
        if (token != _core.Version)
        {
            throw new InvalidOperationException("The reply was already read.");
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // Once the outcome is read the cancellation callback has nothing left to do; disposing waits for it
            // if it is running. The waiter is reused only when its completion reached the caller through the
            // continuation: then whoever completed it has finished with it. A caller that found it already
            // complete may have raced the completing thread, so that waiter is left to the collector.
            _cancellation.Dispose();
            _cancellation = default;
            if (_awaited)
            {
                Reset();
            }
        }
    }

    private void Reset()
    {
        _awaited = false;
        Id = default;
        Batch = null;
        _core.Reset();
        _owner.Return(this);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        _awaited = true;
        _core.OnCompleted(continuation, state, token, flags);
    }
}
