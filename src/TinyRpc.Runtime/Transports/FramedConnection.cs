using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// Reads and writes framed messages on a stream. Reads come from one reader at a time; writes are
/// serialized, so several threads may send at once (messages sent while another is being written go out
/// together in the next write).
/// </summary>
public sealed class FramedConnection : IAsyncDisposable
{
    /// <summary>The default largest message: 4 MiB.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    // The largest batch buffer kept for the next batch; one grown past it by a burst is left to the collector.
    private const int MaxSpareCapacity = 128 * 1024;

    // The largest header block, up to and including the blank line that ends it.
    private const int MaxHeaderSize = 1024;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly bool _ownsStreams;
    private readonly Lock _sendGate = new();
    private ArrayBufferWriter<byte> _queued = new(4096); // frames waiting for the writer on the stream
    private ArrayBufferWriter<byte>? _spare = new(4096);
    private TaskCompletionSource? _queuedSent; // completes when the queued frames are written
    private bool _sending;
    private TaskCompletionSource? _idle; // completes when _sending turns false
    private QueuedFramesWriter? _drain;
    private long _pendingBytes; // framed bytes queued or being written
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private bool _eof;
    private Exception? _writeFailure; // the first write that failed; nothing is written after it
    private int _disposed;

    /// <summary>Frames messages on one bidirectional stream.</summary>
    public FramedConnection(Stream stream, MessageFraming framing = MessageFraming.ContentLength, int maxMessageSize = DefaultMaxMessageSize, bool ownsStream = true)
        : this(stream, stream, framing, maxMessageSize, ownsStream)
    {
    }

    /// <summary>Frames messages read from <paramref name="input"/> and written to <paramref name="output"/> (stdin and stdout, say).</summary>
    public FramedConnection(Stream input, Stream output, MessageFraming framing = MessageFraming.ContentLength, int maxMessageSize = DefaultMaxMessageSize, bool ownsStreams = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, 1);
        _input = input;
        _output = output;
        Framing = framing;
        MaxMessageSize = maxMessageSize;
        _ownsStreams = ownsStreams;
    }

    /// <summary>The framing.</summary>
    public MessageFraming Framing { get; }

    /// <summary>The largest message read or written; a larger one is an <see cref="RpcFramingException"/>.</summary>
    public int MaxMessageSize { get; }

    /// <summary>Reads the next message; null at the end of the stream (a partial message at the end is dropped).</summary>
    /// <exception cref="RpcFramingException">The framing is broken or the message is too large; the stream cannot be used further.</exception>
    public ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken = default)
        => Framing == MessageFraming.NewlineDelimited ? ReadLineAsync(cancellationToken) : ReadContentLengthAsync(cancellationToken);

    /// <summary>
    /// Writes one message with its framing and flushes; completes once it is written. A message sent while another
    /// is being written is queued for the next write, and cancelling then only stops waiting for it.
    /// </summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => WriteCoreAsync(message, cancellationToken);

    /// <summary>
    /// Frames one message for writing and returns without waiting for the stream: the message is copied, then
    /// either written by this call (as far as the stream takes it without waiting) or queued for the writer on
    /// the stream. For replies, whose sender has nothing to do once they are on their way; a peer that does not
    /// read does not hold their senders up. Nothing here bounds the queue: its owner watches
    /// <see cref="PendingBytes"/> and stops producing (a server stops reading requests). A write failure is not
    /// thrown: it breaks the connection (see <see cref="WriteFailed"/>). <see cref="FlushQueuedAsync"/> waits for what
    /// was queued.
    /// </summary>
    /// <exception cref="RpcFramingException">The message is over <see cref="MaxMessageSize"/> or cannot be framed.</exception>
    /// <exception cref="IOException">An earlier write failed: nothing more is written on this connection.</exception>
    internal void Queue(ReadOnlyMemory<byte> message)
    {
        CheckWritable(message);
        lock (_sendGate)
        {
            if (_sending)
            {
                Enqueue(message.Span);
                return;
            }

            _sending = true;
        }

        ValueTask write = WriteFirstAsync(message);
        if (write.IsCompleted)
        {
            Consume(write);
        }
        else
        {
            _ = ConsumeAsync(write);
        }

        static void Consume(ValueTask write)
        {
            try
            {
                write.GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // The connection is broken; its reader sees it.
            }
        }

        static async Task ConsumeAsync(ValueTask write)
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The connection is broken; its reader sees it.
            }
        }
    }

    /// <summary>
    /// Frames one message for the next batch and returns without writing anything on the caller's thread: when no
    /// writer is on the stream, one is started on the thread pool, behind the work already queued there. For a sender
    /// that knows more messages follow at once (a client with other calls outstanding, a server answering several
    /// requests of one peer): a burst from one thread goes out in a few writes instead of one each. Otherwise as
    /// <see cref="Queue"/>: the message is copied, and a write failure breaks the connection.
    /// </summary>
    /// <exception cref="RpcFramingException">The message is over <see cref="MaxMessageSize"/> or cannot be framed.</exception>
    /// <exception cref="IOException">An earlier write failed: nothing more is written on this connection.</exception>
    internal void QueueSoon(ReadOnlyMemory<byte> message)
    {
        CheckWritable(message);
        bool startWriter;
        lock (_sendGate)
        {
            Enqueue(message.Span);
            startWriter = !_sending;
            _sending = true;
        }

        if (startWriter)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_drain ??= new QueuedFramesWriter(this), preferLocal: false);
        }
    }

    /// <summary>The framed bytes handed to this connection and not yet written to the stream (queued or being written).</summary>
    internal long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>
    /// Called after every write to the stream ends, whether it succeeded or not, once <see cref="PendingBytes"/> no
    /// longer counts its bytes. Runs on the writer's thread: it must be quick and must not throw.
    /// </summary>
    internal Action? WriteEnded { get; set; }

    /// <summary>Completes when no frame is queued or being written (at once when none is).</summary>
    internal Task FlushQueuedAsync()
    {
        lock (_sendGate)
        {
            if (!_sending)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    // Called under _sendGate when the stream has no writer any more.
    private TaskCompletionSource? StopSending()
    {
        _sending = false;
        TaskCompletionSource? idle = _idle;
        _idle = null;
        return idle;
    }

    private void CheckFrameable(ReadOnlyMemory<byte> message)
    {
        if (message.Length > MaxMessageSize)
        {
            throw new RpcFramingException($"The message has {message.Length} bytes; at most {MaxMessageSize} are allowed.");
        }

        if (Framing == MessageFraming.NewlineDelimited && message.Span.Contains((byte)'\n'))
        {
            throw new RpcFramingException("A newline-delimited message cannot contain a newline.");
        }
    }

    // Called under _sendGate while another writer is on the stream: the frame goes into the batch it sends next.
    private void Enqueue(ReadOnlySpan<byte> message)
    {
        int length = Frame(message, _queued.GetSpan(message.Length + MaxFrameOverhead));
        _queued.Advance(length);
        Interlocked.Add(ref _pendingBytes, length);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        CheckWritable(message);
        Task queued;
        lock (_sendGate)
        {
            if (!_sending)
            {
                _sending = true;
                queued = Task.CompletedTask;
            }
            else
            {
                Enqueue(message.Span);
                _queuedSent ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                queued = _queuedSent.Task;
            }
        }

        if (!queued.IsCompleted)
        {
            // Cancelling stops the wait, not the write: the frame is already in the batch.
            await queued.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteFirstAsync(message).ConfigureAwait(false);
    }

    // Writes the frame of the writer that took the stream; the message is copied before the first wait, so that
    // Queue's caller may reuse it at once.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFirstAsync(ReadOnlyMemory<byte> message)
    {
        // The framing and the message go out in one write from a pooled buffer: on a socket, one send instead of two.
        byte[] frame = ArrayPool<byte>.Shared.Rent(message.Length + MaxFrameOverhead);
        int length = Frame(message.Span, frame);
        Interlocked.Add(ref _pendingBytes, length);
        try
        {
            ThrowIfWriteFailed(); // one that failed meanwhile may have left part of a frame on the stream

            // Not cancellable: a write stopped halfway would leave half a frame on a stream others share.
            await WriteAndFlushAsync(frame.AsMemory(0, length), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await BreakAsync(e).ConfigureAwait(false); // nothing more when it was an earlier failure
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
            Interlocked.Add(ref _pendingBytes, -length);
            WriteEnded?.Invoke(); // before the batch behind is handed on, so that the two are seen in order

            // This writer is done once its own frame is out. Frames queued meanwhile go out from the thread pool,
            // batch after batch, so that under steady load no caller's write turns into an endless drain.
            bool queuedBehind;
            TaskCompletionSource? idle = null;
            lock (_sendGate)
            {
                queuedBehind = _queued.WrittenCount > 0;
                if (!queuedBehind)
                {
                    idle = StopSending();
                }
            }

            if (queuedBehind)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_drain ??= new QueuedFramesWriter(this), preferLocal: false);
            }

            idle?.TrySetResult();
        }
    }

    // Writes the frames queued while another write was on the stream, one batch per write, until none are left;
    // then the next writer takes the stream. Many replies going out at once cost a few writes instead of one each.
    // Never throws: a failed write fails the writers of that batch.
    private async Task SendQueuedAsync()
    {
        while (true)
        {
            ArrayBufferWriter<byte>? batch = null;
            TaskCompletionSource? sent = null;
            TaskCompletionSource? idle = null;
            lock (_sendGate)
            {
                if (_queued.WrittenCount == 0)
                {
                    idle = StopSending();
                }
                else
                {
                    batch = _queued;
                    sent = _queuedSent;
                    _queued = _spare ?? new ArrayBufferWriter<byte>(4096);
                    _spare = null;
                    _queuedSent = null;
                }
            }

            if (batch is null)
            {
                idle?.TrySetResult();
                return;
            }

            try
            {
                ThrowIfWriteFailed(); // the batches behind a failed write are dropped, and their writers fail
                await WriteAndFlushAsync(batch.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                sent?.TrySetResult();
            }
            catch (Exception e)
            {
                sent?.TrySetException(e);
                _ = sent?.Task.Exception; // observed here: every waiter may have stopped waiting
                await BreakAsync(e).ConfigureAwait(false);
            }

            Interlocked.Add(ref _pendingBytes, -batch.WrittenCount);
            WriteEnded?.Invoke();
            batch.ResetWrittenCount();
            if (batch.Capacity <= MaxSpareCapacity)
            {
                lock (_sendGate)
                {
                    _spare = batch; // keep one spare buffer, unless a large message grew it
                }
            }
        }
    }

    /// <summary>
    /// Called once, with the exception, when a write to the stream fails, on the thread of that write: from then on
    /// nothing more is written (the stream may hold part of a frame), frames already queued are dropped, and writes
    /// fail with an <see cref="IOException"/>. Senders that did not wait for their frames (<see cref="Queue"/>,
    /// <see cref="QueueSoon"/>) learn it only here, so the owner fails what waits on them. Must be quick and must not
    /// throw. When this connection owns its streams they are closed too, which ends a read waiting on a socket or a
    /// pipe.
    /// </summary>
    internal Action<Exception>? WriteFailed { get; set; }

    private void CheckWritable(ReadOnlyMemory<byte> message)
    {
        CheckFrameable(message);
        ThrowIfWriteFailed();
    }

    private void ThrowIfWriteFailed()
    {
        if (Volatile.Read(ref _writeFailure) is { } failure)
        {
            throw new IOException("An earlier write on this connection failed, so nothing more is written to it: " + failure.Message, failure);
        }
    }

    // After a failed write the stream may hold part of a frame, so nothing more is written to it, and the frames of
    // senders that did not wait would be lost without a word: the owner hears of it (WriteFailed), and owned streams
    // are closed, which ends the reader's wait with an error.
    private async ValueTask BreakAsync(Exception failure)
    {
        if (Interlocked.CompareExchange(ref _writeFailure, failure, null) is not null)
        {
            return;
        }

        try
        {
            WriteFailed?.Invoke(failure);
        }
        catch (Exception)
        {
            // The owner's handler must not throw; the connection is broken either way.
        }

        if (!_ownsStreams)
        {
            return;
        }

        try
        {
            await DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already failing: the reader sees the stream closed either way.
        }
    }

    private async ValueTask WriteAndFlushAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // "Content-Length: " + up to 10 digits + "\r\n\r\n", or one "\n".
    private const int MaxFrameOverhead = 32;

    private int Frame(ReadOnlySpan<byte> message, Span<byte> frame)
    {
        int at = 0;
        if (Framing == MessageFraming.ContentLength)
        {
            "Content-Length: "u8.CopyTo(frame);
            at = "Content-Length: "u8.Length;
            Utf8Formatter.TryFormat(message.Length, frame[at..], out int digits);
            at += digits;
            "\r\n\r\n"u8.CopyTo(frame[at..]);
            at += 4;
        }

        message.CopyTo(frame[at..]);
        at += message.Length;
        if (Framing == MessageFraming.NewlineDelimited)
        {
            frame[at++] = (byte)'\n';
        }

        return at;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        int scanned = 0;
        while (true)
        {
            int newline = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int length = scanned + newline;
                ReadOnlySpan<byte> line = _buffer.AsSpan(_start, length);
                _start += length + 1;
                if (!line.IsEmpty && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }

                if (line.IsEmpty || line.Trim(" \t"u8).IsEmpty)
                {
                    scanned = 0;
                    continue; // blank lines between messages are allowed
                }

                return line.ToArray();
            }

            scanned = _end - _start;
            if (scanned > MaxMessageSize)
            {
                throw new RpcFramingException($"A line is longer than {MaxMessageSize} bytes.");
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>?> ReadContentLengthAsync(CancellationToken cancellationToken)
    {
        // Headers: lines up to an empty line.
        int headerEnd;
        while (true)
        {
            // The limit holds whatever the read boundaries: a block that arrives in one read is measured too, and
            // one still without its end is refused as soon as it can no longer end within the limit.
            ReadOnlySpan<byte> pending = _buffer.AsSpan(_start, _end - _start);
            int index = pending.IndexOf("\r\n\r\n"u8);
            if ((index >= 0 ? index + 4 : pending.Length + 1) > MaxHeaderSize)
            {
                throw new RpcFramingException($"The header block is longer than {MaxHeaderSize} bytes.");
            }

            if (index >= 0)
            {
                headerEnd = index;
                break;
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }

        long? contentLength = null;
        foreach (Range lineRange in _buffer.AsSpan(_start, headerEnd).Split("\r\n"u8))
        {
            ReadOnlySpan<byte> line = _buffer.AsSpan(_start, headerEnd)[lineRange];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw new RpcFramingException("A header line has no name.");
            }

            ReadOnlySpan<byte> name = line[..colon].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                ReadOnlySpan<byte> value = line[(colon + 1)..].Trim((byte)' ');
                if (!Utf8Parser.TryParse(value, out long n, out int consumed) || consumed != value.Length || n < 0)
                {
                    throw new RpcFramingException("The Content-Length header is not a number.");
                }

                // Even an equal repeat is refused: which one a peer meant cannot be told, and guessing desynchronizes the stream.
                if (contentLength is not null)
                {
                    throw new RpcFramingException("The Content-Length header appears more than once.");
                }

                contentLength = n;
            }
        }

        if (contentLength is not { } length)
        {
            throw new RpcFramingException("The Content-Length header is missing.");
        }

        if (length > MaxMessageSize)
        {
            throw new RpcFramingException($"The message has {length} bytes; at most {MaxMessageSize} are allowed.");
        }

        _start += headerEnd + 4;
        while (_end - _start < length)
        {
            if (!await FillAsync(cancellationToken, (int)length).ConfigureAwait(false))
            {
                return null;
            }
        }

        byte[] body = _buffer.AsSpan(_start, (int)length).ToArray();
        _start += (int)length;
        return body;
    }

    // Reads more bytes into the buffer; false at the end of the stream.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken, int need = 0)
    {
        if (_eof)
        {
            return false;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int wanted = Math.Max(need, _end + 1);
        if (_end == _buffer.Length || wanted > _buffer.Length)
        {
            int size = Math.Min(Math.Max(_buffer.Length * 2, wanted), MaxMessageSize + MaxHeaderSize + 8);
            if (size <= _buffer.Length)
            {
                throw new RpcFramingException($"A message is larger than {MaxMessageSize} bytes.");
            }

            Array.Resize(ref _buffer, size);
        }

        int read;
        try
        {
            read = await _input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _writeFailure) is { } failure)
        {
            // Closed because a write failed: that failure is the reason the reader should see.
            throw new IOException("A write on this connection failed: " + failure.Message, failure);
        }

        if (read == 0)
        {
            _eof = true;
            return false;
        }

        _end += read;
        return true;
    }

    private sealed class QueuedFramesWriter(FramedConnection connection) : IThreadPoolWorkItem
    {
        public void Execute() => _ = connection.SendQueuedAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Once: a failed write may close the streams while their owner does.
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsStreams)
        {
            await _input.DisposeAsync().ConfigureAwait(false);
            if (!ReferenceEquals(_input, _output))
            {
                await _output.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
