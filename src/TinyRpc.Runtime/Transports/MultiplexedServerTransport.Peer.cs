using System.Diagnostics.CodeAnalysis;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

public abstract partial class MultiplexedServerTransport
{
    /// <summary>
    /// One connected client of a <see cref="MultiplexedServerTransport"/>: what the subclass supplies (how a message is
    /// read and written, how the peer closes), and what the transport keeps for it (the messages not yet answered, the
    /// idle clock, the token for its end).
    /// </summary>
    /// <remarks>
    /// Concurrency: <see cref="ReceiveAsync"/> is called by one loop at a time; <see cref="SendAsync"/> from any thread at
    /// once (the peer keeps each message whole), also while a receive waits; <see cref="FlushAsync"/> and
    /// <see cref="QueuedBytes"/> at any time; <see cref="CloseAsync"/> once, possibly while a receive, a send or a flush
    /// is under way, which it must end. <see cref="OnIdle"/> is called on a timer thread.
    /// </remarks>
    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
        Justification = "The idle timer is disposed when the input ends; the closed token's source is never disposed, as its token may be read at any time.")]
    protected abstract class Peer
    {
        private readonly Lock _gate = new();
        private readonly MultiplexedServerTransport _transport;
        private readonly TimeSpan _idleTimeout;
        private readonly CancellationTokenSource _closed = new(); // not disposed: tokens handed out may be read at any time
        private Timer? _idleTimer; // runs while nothing is owed; null when there is no idle timeout or the peer ended
        private int _unanswered;
        private bool _inputEnded;
        private bool _timedOut;
        private int _closing;
        private TaskCompletionSource? _room; // the read loop's wait, while the peer holds its share
        private TaskCompletionSource? _allAnswered;

        /// <summary>Creates a peer of <paramref name="transport"/>.</summary>
        /// <param name="transport">The transport that serves it.</param>
        /// <param name="idleTimeout">How long it may stay idle, with no message in flight and none arriving, before
        /// <see cref="OnIdle"/> is called; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
        protected Peer(MultiplexedServerTransport transport, TimeSpan idleTimeout)
        {
            ArgumentNullException.ThrowIfNull(transport);
            _transport = transport;
            _idleTimeout = idleTimeout;
        }

        /// <summary>The context of this peer's messages: this peer unless the subclass hands out another object (and
        /// then finds the peer again with <see cref="FindPeer"/>).</summary>
        protected internal virtual object Context => this;

        /// <summary>Cancelled when reading must stop: the read loop's waits end with it.</summary>
        protected internal abstract CancellationToken ReadAborted { get; }

        /// <summary>Whether replies can still be written after the client's input ended (a stream's client may close its
        /// sending side and wait for its answers). When false, the peer is closed as soon as its input ends.</summary>
        protected internal virtual bool AnswersAfterInputEnds => true;

        /// <summary>The bytes queued by <see cref="SendAsync"/> and not yet written; 0 for a peer that writes before its
        /// send completes. Counts against <see cref="MaxQueuedReplyBytesPerConnection"/>.</summary>
        protected internal virtual long QueuedBytes => 0;

        // Whether the idle clock ran out (OnIdle was called).
        internal bool TimedOut => Volatile.Read(ref _timedOut);

        internal CancellationToken Closed => _closed.Token;

        /// <summary>The next whole message; null when the client's input has ended.</summary>
        /// <exception cref="IOException">The connection broke (as does <see cref="RpcFramingException"/>,
        /// <see cref="ObjectDisposedException"/>, <see cref="OperationCanceledException"/>): the input ends.</exception>
        protected internal abstract ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken);

        /// <summary>Writes <paramref name="message"/>, or queues it (see <see cref="QueuedBytes"/>); a message to a client
        /// that has gone is dropped. Call <see cref="OnQueuedBytesWritten"/> whenever queued bytes were written.</summary>
        /// <exception cref="RpcFramingException">The message cannot be framed, or is over the limit.</exception>
        protected internal abstract ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

        /// <summary>Completes when the messages queued so far are written, or when the peer is closed.</summary>
        protected internal virtual Task FlushAsync() => Task.CompletedTask;

        /// <summary>Closes the connection and frees what the peer holds; called once.</summary>
        protected internal abstract ValueTask CloseAsync();

        /// <summary>
        /// Called when the idle clock runs out: no message in flight and none arriving for the idle timeout. The peer
        /// should end its input (then <see cref="ReceiveAsync"/> returns null, or <see cref="ReadAborted"/> is cancelled).
        /// </summary>
        protected abstract void OnIdle();

        /// <summary>Tells the transport that queued bytes were written: a read loop paused for room may go on.</summary>
        protected void OnQueuedBytesWritten() => SignalRoom();

        /// <summary>Completes once every message read from this peer has been answered (at once when none is owed).</summary>
        protected Task WhenAllAnsweredAsync()
        {
            lock (_gate)
            {
                if (_unanswered == 0)
                {
                    return Task.CompletedTask;
                }

                _allAnswered ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _allAnswered.Task;
            }
        }

        /// <summary>The messages received and not yet answered; a reply being sent is still counted.</summary>
        internal int Unanswered => Volatile.Read(ref _unanswered);

        internal void StartIdleClock()
        {
            if (_idleTimeout == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            lock (_gate)
            {
                _idleTimer = new Timer(static state => ((Peer)state!).IdleClockRanOut(), this, _idleTimeout, Timeout.InfiniteTimeSpan);
            }
        }

        /// <summary>Completes when the peer may read another message: at once, unless it holds its share.</summary>
        internal Task WaitForRoomAsync()
        {
            // Checked and registered under the lock that SignalRoom takes after every change that makes room, so that
            // no change between the two goes unseen.
            lock (_gate)
            {
                if (HasRoom())
                {
                    return Task.CompletedTask;
                }

                _room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _room.Task;
            }
        }

        internal void Received()
        {
            lock (_gate)
            {
                // Busy until this one is answered. Under the lock, so that the last change of the count sets the clock.
                _unanswered++;
                _idleTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        /// <summary>Records a reply; true when it was the last one owed and the client sends no more.</summary>
        internal bool Answered()
        {
            bool last;
            TaskCompletionSource? allAnswered = null;
            lock (_gate)
            {
                last = --_unanswered == 0 && _inputEnded;
                if (_unanswered == 0)
                {
                    _idleTimer?.Change(_idleTimeout, Timeout.InfiniteTimeSpan);
                    allAnswered = _allAnswered;
                    _allAnswered = null;
                }
            }

            allAnswered?.TrySetResult();
            SignalRoom();
            return last;
        }

        /// <summary>Records the end of input; true when no reply is owed any more.</summary>
        internal bool InputEnded()
        {
            lock (_gate)
            {
                _inputEnded = true;
                _idleTimer?.Dispose();
                _idleTimer = null;
                return _unanswered == 0;
            }
        }

        internal bool TryStartClosing() => Interlocked.Exchange(ref _closing, 1) == 0;

        internal void End() => _closed.Cancel();

        private void IdleClockRanOut()
        {
            lock (_gate)
            {
                if (_idleTimer is null || _unanswered != 0)
                {
                    return; // a message came in, or the input ended, meanwhile
                }

                Volatile.Write(ref _timedOut, true);
            }

            OnIdle();
        }

        private bool HasRoom()
            => _unanswered < _transport._maxRequestsInFlight && QueuedBytes < _transport._maxQueuedReplyBytes;

        private void SignalRoom()
        {
            TaskCompletionSource? room;
            lock (_gate)
            {
                room = _room;
                if (room is null || !HasRoom())
                {
                    return;
                }

                _room = null;
            }

            room.TrySetResult();
        }
    }
}
