using System.Text;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

/// <summary>Reply waiters and in-memory read waits are reused; a reused one must never see what belonged to its previous use.</summary>
public sealed class PooledWaiterTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static readonly JsonRpcProtocol Protocol = new();

    private static RpcResponse Reply(long id, int result)
        => (RpcResponse)Protocol.ParseReply(Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{id}},"result":{{result}}}"""));

    private static async Task<RpcResponse> Await(ReplyWaiter waiter) => await waiter.AsValueTask();

    // The next request, skipping the $/cancelRequest notifications the client sends for calls it gave up on (their
    // ids are collected in cancelled, when given).
    private static async Task<RpcRequest> ReceiveRequestAsync(InMemoryServerTransport server, List<RpcId>? cancelled = null)
    {
        for (int skipped = 0; skipped < 1000; skipped++)
        {
            var request = (RpcRequest)Protocol.ParseRequest((await server.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value.Message);
            if (!RpcProtocol.TryReadCancelledId(request, out RpcId id))
            {
                return request;
            }

            cancelled?.Add(id);
        }

        throw new InvalidOperationException("Only cancel requests came.");
    }

    [Fact]
    public async Task A_waiter_reused_after_cancellation_does_not_take_the_late_reply()
    {
        var table = new PendingCallTable();
        using var cancel = new CancellationTokenSource();
        ReplyWaiter first = table.Add(RpcId.FromNumber(1), long.MaxValue, cancel.Token);
        Task<RpcResponse> firstCall = Await(first);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstCall.WaitAsync(Limit));

        ReplyWaiter second = table.Add(RpcId.FromNumber(2), long.MaxValue, CancellationToken.None);
        Assert.Same(first, second); // reused once its outcome was read
        Task<RpcResponse> secondCall = Await(second);

        Assert.False(table.TryTake(RpcId.FromNumber(1), out _)); // the late reply of the cancelled call matches nothing
        Assert.True(table.TryTake(RpcId.FromNumber(2), out ReplyWaiter? taken));
        taken!.SetResult(Reply(2, 22));
        Assert.Equal(22, (await secondCall.WaitAsync(Limit)).GetResult<int>());
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public async Task A_waiter_reused_after_a_timeout_does_not_take_the_late_reply()
    {
        var table = new PendingCallTable();
        ReplyWaiter first = table.Add(RpcId.FromNumber(1), deadline: 0, CancellationToken.None);
        Task<RpcResponse> firstCall = Await(first);
        List<ReplyWaiter> overdue = Assert.IsType<List<ReplyWaiter>>(table.TakeOverdue(Environment.TickCount64));
        Assert.Same(first, Assert.Single(overdue));
        first.SetException(new TimeoutException());
        await Assert.ThrowsAsync<TimeoutException>(() => firstCall.WaitAsync(Limit));

        ReplyWaiter second = table.Add(RpcId.FromNumber(2), long.MaxValue, CancellationToken.None);
        Assert.Same(first, second);
        Task<RpcResponse> secondCall = Await(second);
        Assert.Null(table.TakeOverdue(Environment.TickCount64)); // the sweep does not see the old deadline again
        Assert.False(table.TryTake(RpcId.FromNumber(1), out _));
        Assert.True(table.TryTake(RpcId.FromNumber(2), out ReplyWaiter? taken));
        taken!.SetResult(Reply(2, 7));
        Assert.Equal(7, (await secondCall.WaitAsync(Limit)).GetResult<int>());
    }

    [Fact]
    public async Task A_cancellation_that_loses_to_the_reply_does_not_touch_the_next_call()
    {
        var table = new PendingCallTable();
        using var cancel = new CancellationTokenSource();
        ReplyWaiter first = table.Add(RpcId.FromNumber(1), long.MaxValue, cancel.Token);
        Task<RpcResponse> firstCall = Await(first);
        Assert.True(table.TryTake(RpcId.FromNumber(1), out ReplyWaiter? taken));
        taken!.SetResult(Reply(1, 1));
        Assert.Equal(1, (await firstCall.WaitAsync(Limit)).GetResult<int>());

        ReplyWaiter second = table.Add(RpcId.FromNumber(2), long.MaxValue, CancellationToken.None);
        Task<RpcResponse> secondCall = Await(second);
        await cancel.CancelAsync(); // the first call's token: its registration ended with the call
        Assert.False(secondCall.IsCompleted);
        Assert.Equal(1, table.Count);
        Assert.True(table.TryTake(RpcId.FromNumber(2), out taken));
        taken!.SetResult(Reply(2, 2));
        Assert.Equal(2, (await secondCall.WaitAsync(Limit)).GetResult<int>());
    }

    [Fact]
    public async Task Closing_fails_waiting_calls_and_later_ones()
    {
        var table = new PendingCallTable();
        Task<RpcResponse> call = Await(table.Add(RpcId.FromNumber(1), long.MaxValue, CancellationToken.None));
        table.Close(new RpcTransportException("gone"));
        await Assert.ThrowsAsync<RpcTransportException>(() => call.WaitAsync(Limit));
        Assert.Throws<RpcTransportException>(() => table.Add(RpcId.FromNumber(2), long.MaxValue, CancellationToken.None));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public async Task Late_replies_to_timed_out_and_cancelled_calls_never_reach_the_next_calls()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        await using var client = new RpcClient(new JsonRpcProtocol(), clientTransport) { Timeout = TimeSpan.FromMilliseconds(50) };

        // A server that holds each request until told to answer it.
        Task<int> timedOut = client.CallAsync<int>("value", 1);
        RpcRequest first = await ReceiveRequestAsync(serverTransport);
        await Assert.ThrowsAsync<TimeoutException>(() => timedOut.WaitAsync(Limit));

        client.Timeout = Limit;
        var toldOf = new List<RpcId>();
        using var cancel = new CancellationTokenSource();
        Task<int> cancelled = client.CallAsync<int>("value", [2], null, cancel.Token);
        RpcRequest second = await ReceiveRequestAsync(serverTransport, toldOf);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Limit));

        Task<int> third = client.CallAsync<int>("value", 3);
        RpcRequest request = await ReceiveRequestAsync(serverTransport, toldOf);

        // The server was told of both calls given up on, the timed out one and the cancelled one.
        Assert.Equal([first.Id, second.Id], toldOf);

        // The late replies come first; each carries a result the third call must not take.
        await serverTransport.SendReplyAsync(null, first.Respond(-1)!.Serialize());
        await serverTransport.SendReplyAsync(null, second.Respond(-2)!.Serialize());
        await serverTransport.SendReplyAsync(null, request.Respond(3)!.Serialize());
        Assert.Equal(3, await third.WaitAsync(Limit));
        Assert.Equal(0, client.PendingCalls);
    }

    [Fact]
    public async Task Every_call_gets_its_own_reply_while_others_are_cancelled_and_answered_out_of_order()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        await using var client = new RpcClient(new JsonRpcProtocol(), clientTransport);
        using var stop = new CancellationTokenSource(Limit);

        // Answers in batches of up to 16 requests, last first, and at once from the argument Calls on; each call's
        // result is its argument.
        const int Calls = 2000;
        Task serving = Task.Run(async () =>
        {
            var held = new List<RpcRequest>();
            while (!stop.IsCancellationRequested)
            {
                RpcInboundMessage? inbound = await serverTransport.ReceiveMessageAsync(stop.Token);
                if (inbound is null)
                {
                    break;
                }

                var request = (RpcRequest)Protocol.ParseRequest(inbound.Value.Message);
                if (RpcProtocol.TryReadCancelledId(request, out _))
                {
                    continue; // the client gave up on a call; it is answered anyway, late
                }

                held.Add(request);
                bool last = request.Arguments.TryGet(0, "n", out int n) && n >= Calls;
                if (held.Count == 16 || last || Random.Shared.Next(4) == 0)
                {
                    for (int i = held.Count - 1; i >= 0; i--)
                    {
                        await serverTransport.SendReplyAsync(null, held[i].Respond(held[i].Arguments.TryGet(0, "n", out int value) ? value : -1)!.Serialize());
                    }

                    held.Clear();
                }
            }
        });

        var cancels = new CancellationTokenSource[Calls];
        var calls = new Task<int>[Calls];
        for (int i = 0; i < Calls; i++)
        {
            cancels[i] = new CancellationTokenSource();
            calls[i] = client.CallAsync<int>("value", [i], null, cancels[i].Token);
            if (i % 3 == 0)
            {
                await cancels[i].CancelAsync();
            }
        }

        // The requests still held are released by the last calls.
        Task<int[]> flush = Task.WhenAll(Enumerable.Range(Calls, 16).Select(n => client.CallAsync<int>("value", n)));
        int answered = 0;
        for (int i = 0; i < Calls; i++)
        {
            try
            {
                Assert.Equal(i, await calls[i].WaitAsync(Limit));
                answered++;
            }
            catch (OperationCanceledException)
            {
                Assert.Equal(0, i % 3);
            }

            cancels[i].Dispose();
        }

        Assert.Equal(Enumerable.Range(Calls, 16), await flush.WaitAsync(Limit));
        Assert.True(answered >= Calls * 2 / 3 - 1);
        Assert.Equal(0, client.PendingCalls);
        clientTransport.Dispose();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_cancelled_in_memory_read_leaves_the_next_message_to_the_next_read()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        for (int round = 0; round < 3; round++)
        {
            using var cancel = new CancellationTokenSource();
            ValueTask<ReadOnlyMemory<byte>?> read = clientTransport.ReceiveAsync(cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);

            using var cancelServer = new CancellationTokenSource();
            ValueTask<RpcInboundMessage?> serverRead = serverTransport.ReceiveMessageAsync(cancelServer.Token);
            await cancelServer.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await serverRead);

            Task<ReadOnlyMemory<byte>?> next = clientTransport.ReceiveAsync().AsTask();
            await serverTransport.SendReplyAsync(null, new byte[] { (byte)round });
            Assert.Equal(new[] { (byte)round }, (await next.WaitAsync(Limit))!.Value.ToArray());

            await clientTransport.SendAsync(new byte[] { (byte)(round + 10) });
            Assert.Equal(new[] { (byte)(round + 10) }, (await serverTransport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value.Message.ToArray());
        }

        Task<RpcInboundMessage?> end = serverTransport.ReceiveMessageAsync().AsTask();
        clientTransport.Dispose();
        Assert.Null(await end.WaitAsync(Limit));
        await Assert.ThrowsAsync<RpcTransportException>(async () => await clientTransport.SendAsync(new byte[] { 1 }));
    }

    [Fact]
    public async Task In_memory_messages_sent_by_the_caller_are_copied()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        byte[] buffer = [1, 2, 3];
        await clientTransport.SendAsync(buffer);
        buffer[0] = 9;
        Assert.Equal(new byte[] { 1, 2, 3 }, (await serverTransport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value.Message.ToArray());
        clientTransport.Dispose();
    }

    [Fact]
    public async Task A_writer_returns_once_its_own_frame_is_written_while_others_queue_behind_it()
    {
        var stream = new GatedStream();
        await using var connection = new FramedConnection(Stream.Null, stream, MessageFraming.NewlineDelimited);
        Task first = connection.WriteAsync("a"u8.ToArray()).AsTask();
        await stream.Started.WaitAsync(Limit); // the first write is on the stream and held there

        // Writers arriving meanwhile are queued for one batch behind it.
        Task[] queued = Enumerable.Range(0, 10).Select(i => connection.WriteAsync(Encoding.UTF8.GetBytes("q" + i)).AsTask()).ToArray();
        Assert.False(first.IsCompleted);

        stream.Gate.Release(); // the first frame goes out; the batch is written by someone else
        await first.WaitAsync(Limit);
        await stream.Started.WaitAsync(Limit); // the batch is on the stream and held there
        Assert.All(queued, q => Assert.False(q.IsCompleted));

        // More writers keep queueing while the batch is held: the first one is long done.
        Task[] later = Enumerable.Range(0, 5).Select(i => connection.WriteAsync(Encoding.UTF8.GetBytes("r" + i)).AsTask()).ToArray();
        stream.Gate.Release(int.MaxValue / 2);
        await Task.WhenAll(queued.Concat(later)).WaitAsync(Limit);

        Assert.Equal(3, stream.Writes); // one for the first frame, one per batch
        string[] lines = Encoding.UTF8.GetString(stream.Written).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] expected = ["a", .. Enumerable.Range(0, 10).Select(i => "q" + i), .. Enumerable.Range(0, 5).Select(i => "r" + i)];
        Assert.Equal(expected, lines);
    }

    [Fact]
    public async Task A_queued_frame_returns_without_waiting_for_the_stream_and_a_flush_waits_for_it()
    {
        var stream = new GatedStream();
        await using var connection = new FramedConnection(Stream.Null, stream, MessageFraming.NewlineDelimited);
        connection.Queue("a"u8.ToArray()); // returns though its write is held on the stream
        await stream.Started.WaitAsync(Limit);

        // Frames queued behind it return at once too: their senders have nothing to wait for.
        for (int i = 0; i < 10; i++)
        {
            connection.Queue(Encoding.UTF8.GetBytes("q" + i));
        }

        Task flushed = connection.FlushQueuedAsync();
        Assert.False(flushed.IsCompleted);

        stream.Gate.Release();
        await stream.Started.WaitAsync(Limit); // the batch is on the stream and held there
        Assert.False(flushed.IsCompleted);
        stream.Gate.Release();
        await flushed.WaitAsync(Limit);

        Assert.Equal(2, stream.Writes);
        string[] lines = Encoding.UTF8.GetString(stream.Written).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["a", .. Enumerable.Range(0, 10).Select(i => "q" + i)], lines);
        Assert.True(connection.FlushQueuedAsync().IsCompleted);
    }

    [Fact]
    public async Task Queued_frames_never_wait_and_count_as_pending_until_written()
    {
        var stream = new GatedStream();
        await using var connection = new FramedConnection(Stream.Null, stream, MessageFraming.NewlineDelimited);
        int writesEnded = 0;
        connection.WriteEnded = () => Interlocked.Increment(ref writesEnded);
        connection.Queue("a"u8.ToArray());
        await stream.Started.WaitAsync(Limit);

        // However much is queued, the senders go on; the owner of the connection bounds it by watching PendingBytes.
        byte[] large = Enumerable.Repeat((byte)'x', 256 * 1024).ToArray();
        for (int i = 0; i < 8; i++)
        {
            connection.Queue(large);
        }

        Assert.Equal(2 + (8 * (large.Length + 1)), connection.PendingBytes);
        stream.Gate.Release();
        await stream.Started.WaitAsync(Limit); // the batch is on the stream and held there
        Assert.Equal(8 * (large.Length + 1), connection.PendingBytes);
        Assert.Equal(1, Volatile.Read(ref writesEnded));

        stream.Gate.Release(int.MaxValue / 2);
        await connection.FlushQueuedAsync().WaitAsync(Limit);
        Assert.Equal(0, connection.PendingBytes);
        Assert.Equal(2, Volatile.Read(ref writesEnded));
        Assert.Equal(2 + (8 * (large.Length + 1)), stream.Written.Length);
    }

    [Fact]
    public async Task Replies_queued_behind_a_held_write_go_out_before_the_server_transport_closes_the_connection()
    {
        var stream = new GatedStream("a\nb\nc\n"u8.ToArray(), endAfterInput: false);
        var transport = new OneConnectionServerTransport(stream);
        var received = new List<RpcInboundMessage>();
        for (int i = 0; i < 3; i++)
        {
            received.Add((await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value);
        }

        Task first = transport.SendReplyAsync(received[0].Context, "A"u8.ToArray()).AsTask();
        await stream.Started.WaitAsync(Limit); // the first reply is on the stream and held there

        // The replies behind it are queued and their senders move on.
        Assert.True(transport.SendReplyAsync(received[1].Context, "B"u8.ToArray()).AsTask().IsCompletedSuccessfully);
        Assert.True(transport.SendReplyAsync(received[2].Context, "C"u8.ToArray()).AsTask().IsCompletedSuccessfully);

        // Disposing lets them go out before it closes the connection.
        Task disposing = transport.DisposeAsync().AsTask();
        Assert.False(stream.Closed.IsCompleted);
        stream.Gate.Release(int.MaxValue / 2);
        await disposing.WaitAsync(Limit);
        await first.WaitAsync(Limit);
        Assert.Equal("A\nB\nC\n", Encoding.UTF8.GetString(await stream.Closed.WaitAsync(Limit)));
    }

    [Fact]
    public async Task A_client_that_stops_sending_gets_its_queued_replies_before_the_connection_closes()
    {
        var stream = new GatedStream("a\nb\n"u8.ToArray(), endAfterInput: true);
        await using var transport = new OneConnectionServerTransport(stream);
        RpcInboundMessage a = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        RpcInboundMessage b = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;

        Assert.True(transport.SendReplyAsync(a.Context, "A"u8.ToArray()).AsTask().IsCompletedSuccessfully); // queued, held on the stream
        await stream.Started.WaitAsync(Limit);

        // The last reply owed: its sender closes the connection once the queued replies are out.
        Task last = transport.SendReplyAsync(b.Context, "B"u8.ToArray()).AsTask();
        Assert.False(stream.Closed.IsCompleted);
        stream.Gate.Release(int.MaxValue / 2);
        await last.WaitAsync(Limit);

        // The input has ended and every reply is owed no more: the connection closes, after the queued reply.
        Assert.Equal("A\nB\n", Encoding.UTF8.GetString(await stream.Closed.WaitAsync(Limit)));
    }

    [Fact]
    public async Task Cancelled_in_memory_waits_do_not_pile_up()
    {
        var queue = new MessageQueue();
        for (int i = 0; i < 1000; i++)
        {
            using var cancel = new CancellationTokenSource();
            ValueTask<ReadOnlyMemory<byte>?> read = queue.ReadAsync(inline: false, cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);
        }

        Assert.True(queue.QueuedReaders <= 1, $"{queue.QueuedReaders} cancelled waits are still queued");
        Assert.True(queue.TryWrite(new byte[] { 7 }));
        Assert.Equal(new byte[] { 7 }, (await queue.ReadAsync(inline: false, CancellationToken.None).AsTask().WaitAsync(Limit))!.Value.ToArray());
    }

    [Fact]
    public async Task A_read_cancelled_while_a_message_arrives_never_loses_it()
    {
        // The cancellation and the message race; either the read gets the message, or it is cancelled and the
        // message waits for the next read. Never both lost.
        var queue = new MessageQueue();
        int delivered = 0;
        for (int round = 0; round < 3000; round++)
        {
            using var cancel = new CancellationTokenSource();
            ValueTask<ReadOnlyMemory<byte>?> read = queue.ReadAsync(inline: false, cancel.Token);
            byte[] message = BitConverter.GetBytes(round);
            Task write = Task.Run(() => queue.TryWrite(message));
            Task stop = Task.Run(cancel.Cancel);
            await Task.WhenAll(write, stop).WaitAsync(Limit);
            ReadOnlyMemory<byte>? got;
            try
            {
                got = await read;
            }
            catch (OperationCanceledException)
            {
                got = await queue.ReadAsync(inline: false, CancellationToken.None).AsTask().WaitAsync(Limit);
            }

            Assert.Equal(round, BitConverter.ToInt32(got!.Value.Span));
            delivered++;
        }

        Assert.Equal(3000, delivered);
        Assert.True(queue.QueuedReaders <= 1, $"{queue.QueuedReaders} waits are still queued");
    }

    [Fact]
    public async Task A_parsed_request_sent_in_memory_keeps_its_bytes_when_the_caller_reuses_its_buffer()
    {
        (InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("echo", async (request, _) =>
        {
            started.SetResult();
            await proceed.Task;
            Assert.True(request.Arguments.TryGet(0, "text", out string? text));
            return request.Respond(text);
        }, [new RpcParameter("text", typeof(string))]);
        using var stop = new CancellationTokenSource();
        Task serving = new RpcServer(serverTransport, Protocol, dispatcher).ServeForeverAsync(stop.Token);
        await using var client = new RpcClient(Protocol, clientTransport) { Timeout = Limit };

        byte[] buffer = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"echo","params":["original"],"id":5}""");
        var request = (RpcRequest)Protocol.ParseRequest(buffer);
        Task<RpcResponse?> call = client.SendAsync(request);
        await started.Task.WaitAsync(Limit);
        Encoding.UTF8.GetBytes("overwrite").CopyTo(buffer.AsSpan(buffer.AsSpan().IndexOf("original"u8) - 1));
        proceed.SetResult();
        Assert.Equal("original", (await call.WaitAsync(Limit))!.GetResult<string>());
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    /// <summary>A server transport over one connection the test makes (a real part cannot hold a write on the socket at will).</summary>
    private sealed class OneConnectionServerTransport(Stream stream) : ConnectionServerTransport(MessageFraming.NewlineDelimited, FramedConnection.DefaultMaxMessageSize)
    {
        private int _accepted;

        protected override async Task<Stream?> AcceptAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _accepted, 1) == 0)
            {
                return stream;
            }

            await Task.Delay(Limit, cancellationToken);
            return null;
        }

        protected override void StopListening()
        {
        }
    }

    /// <summary>
    /// A stream whose writes each wait for the test to let them through; it reads the given input, then either ends or
    /// waits (bounded) until cancelled. <see cref="Closed"/> completes on dispose with what had been written.
    /// </summary>
    private sealed class GatedStream(byte[]? input = null, bool endAfterInput = true) : Stream
    {
        private readonly MemoryStream _written = new();
        private int _read;

        public SemaphoreSlim Gate { get; } = new(0);

        public SemaphoreSlim Started { get; } = new(0);

        public int Writes { get; private set; }

        public Task<byte[]> Closed => _closed.Task;

        private readonly TaskCompletionSource<byte[]> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public byte[] Written
        {
            get
            {
                lock (_written)
                {
                    return _written.ToArray();
                }
            }
        }

        public override bool CanRead => input is not null;
        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Started.Release();
            await Gate.WaitAsync(Limit, cancellationToken);
            lock (_written)
            {
                Writes++;
                _written.Write(buffer.Span);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (input is null)
            {
                throw new NotSupportedException();
            }

            if (_read < input.Length)
            {
                int n = Math.Min(buffer.Length, input.Length - _read);
                input.AsMemory(_read, n).CopyTo(buffer);
                _read += n;
                return n;
            }

            if (!endAfterInput)
            {
                await Task.Delay(Limit, cancellationToken);
            }

            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            _closed.TrySetResult(Written);
            base.Dispose(disposing);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
