using System.Threading.Tasks.Sources;

namespace TinyRpc.Transports;

/// <summary>
/// An unbounded queue of messages from any number of writers to waiting readers. A reader that has to wait
/// waits on a reusable object, whether or not its token can be cancelled; null is read once the queue is closed
/// and empty.
/// </summary>
internal sealed class MessageQueue
{
    private readonly Lock _lock = new();
    private readonly Queue<ReadOnlyMemory<byte>> _messages = new();
    private readonly Queue<(Reader Reader, short Token)> _readers = new();
    private Reader? _spare;
    private bool _closed;

    public bool TryWrite(ReadOnlyMemory<byte> message)
    {
        while (true)
        {
            (Reader Reader, short Token) waiting;
            lock (_lock)
            {
                if (_closed)
                {
                    return false;
                }

                if (!_readers.TryDequeue(out waiting))
                {
                    _messages.Enqueue(message);
                    return true;
                }
            }

            // A reader whose wait was cancelled is skipped; the message goes to the next one.
            if (waiting.Reader.TryClaim(waiting.Token))
            {
                waiting.Reader.SetResult(message);
                return true;
            }
        }
    }

    /// <summary>Ends the queue: readers get the messages still queued, then null.</summary>
    public void Close()
    {
        (Reader Reader, short Token)[] waiting;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            waiting = [.. _readers];
            _readers.Clear();
        }

        foreach ((Reader reader, short token) in waiting)
        {
            if (reader.TryClaim(token))
            {
                reader.SetResult(null);
            }
        }
    }

    public ValueTask<ReadOnlyMemory<byte>?> ReadAsync(bool inline, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReadOnlyMemory<byte>?>(cancellationToken);
        }

        lock (_lock)
        {
            if (_messages.TryDequeue(out ReadOnlyMemory<byte> message))
            {
                return new(message);
            }

            if (_closed)
            {
                return new((ReadOnlyMemory<byte>?)null);
            }
        }

        Reader reader = Interlocked.Exchange(ref _spare, null) ?? new Reader(this);
        short token = reader.Start(inline);
        if (cancellationToken.CanBeCanceled)
        {
            // Before the reader is queued: a token cancelled meanwhile completes it here, and no writer sees it.
            reader.WatchCancellation(cancellationToken);
        }

        ReadOnlyMemory<byte>? immediate = null;
        bool now = false;
        lock (_lock)
        {
            if (_messages.Count > 0 || _closed)
            {
                // The wait is claimed before a message is taken: a cancellation that won the race keeps the
                // message queued for the next read instead of losing it.
                if (reader.TryClaim(token))
                {
                    now = true;
                    immediate = _messages.TryDequeue(out ReadOnlyMemory<byte> message) ? message : null;
                }
            }
            else if (reader.IsWaiting(token))
            {
                DropCancelledReaders();
                _readers.Enqueue((reader, token));
            }
        }

        if (now)
        {
            // Nobody else can complete the wait now, and nobody awaits it yet: the reader goes back unused.
            reader.Recycle();
            return new(immediate);
        }

        return new(reader, token);
    }

    private void Return(Reader reader) => Volatile.Write(ref _spare, reader);

    /// <summary>The waits queued for a message, cancelled ones included (for tests).</summary>
    internal int QueuedReaders
    {
        get
        {
            lock (_lock)
            {
                return _readers.Count;
            }
        }
    }

    // Readers whose wait was cancelled stay queued until a writer skips them; a reader that polls with a timeout
    // on a quiet queue would pile them up, so each new wait clears them out first (under the lock).
    private void DropCancelledReaders()
    {
        for (int i = _readers.Count; i > 0; i--)
        {
            (Reader Reader, short Token) entry = _readers.Dequeue();
            if (entry.Reader.IsWaiting(entry.Token))
            {
                _readers.Enqueue(entry);
            }
        }
    }

    /// <summary>One wait of a reader; reused once its message has been read.</summary>
    private sealed class Reader(MessageQueue queue) : IValueTaskSource<ReadOnlyMemory<byte>?>
    {
        private ManualResetValueTaskSourceCore<ReadOnlyMemory<byte>?> _core;
        private CancellationTokenRegistration _cancellation;
        private int _waiting = -1; // the token (as unsigned) of the wait that nobody has completed yet, or -1
        private bool _awaited;

        public short Start(bool inline)
        {
            _core.RunContinuationsAsynchronously = !inline;
            short token = _core.Version;
            Volatile.Write(ref _waiting, (ushort)token);
            return token;
        }

        public bool IsWaiting(short token) => Volatile.Read(ref _waiting) == (ushort)token;

        /// <summary>True for the one caller that may complete the wait <paramref name="token"/>.</summary>
        public bool TryClaim(short token) => Interlocked.CompareExchange(ref _waiting, -1, (ushort)token) == (ushort)token;

        public void WatchCancellation(CancellationToken cancellationToken)
            => _cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var reader = (Reader)state!;
                if (reader.TryClaim(reader._core.Version))
                {
                    reader._core.SetException(new OperationCanceledException(token));
                }
            }, this);

        public void SetResult(ReadOnlyMemory<byte>? message) => _core.SetResult(message);

        public void Recycle()
        {
            _cancellation.Dispose();
            _cancellation = default;
            _awaited = false;
            _core.Reset();
            queue.Return(this);
        }

        public ReadOnlyMemory<byte>? GetResult(short token)
        {
            if (token != _core.Version)
            {
                throw new InvalidOperationException("The message was already read.");
            }

            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                _cancellation.Dispose();
                _cancellation = default;

                // Reused only when the completion came through the continuation: then whoever completed the wait
                // has finished with it (see ReplyWaiter).
                if (_awaited)
                {
                    _awaited = false;
                    _core.Reset();
                    queue.Return(this);
                }
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        {
            _awaited = true;
            _core.OnCompleted(continuation, state, token, flags);
        }
    }
}
