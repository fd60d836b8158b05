using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Dispatch;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

// A client over a stream sends a call made while others are outstanding in the next batch write instead of writing it
// on the caller's thread; a failed batch write must then fail the calls, since nobody waits for it.
public sealed class BatchedSendTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Calls_made_while_others_are_outstanding_are_written_together_off_the_calling_thread()
    {
        // The server answers only once every call has been made, so that all 64 are outstanding together.
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RpcDispatcher dispatcher = ClientServerTests.CreateDispatcher();
        dispatcher.AddMethod("echo_later", async (r, ct) =>
        {
            await answer.Task.WaitAsync(ct);
            return r.Respond(SomeWebsite.Arg<string>(r, 0, "s"));
        }, [new RpcParameter("s", typeof(string))]);
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        transport.Start();
        using var stop = new CancellationTokenSource(Limit);
        Task serving = new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token);

        using var socket = new TcpClient { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, transport.LocalEndPoint.Port);

        // The real socket's stream, with each write's thread noted (a decorator, not a stand-in); writes from other
        // threads wait until the calls have all been made, so that the batches they take are known.
        var recording = new WriteRecordingStream(socket.GetStream());
        await using (var client = new RpcClient(new JsonRpcProtocol(), new StreamClientTransport(recording)))
        {
            const int Calls = 64;
            var calls = new Task<string>[Calls];
            recording.Caller = Environment.CurrentManagedThreadId;
            for (int i = 0; i < Calls; i++)
            {
                calls[i] = client.CallAsync<string>("echo_later", $"call {i}");
            }

            int writesOnCaller = recording.Caller == Environment.CurrentManagedThreadId ? recording.WritesOnCaller : -1;
            recording.Caller = -1;
            recording.OthersMayWrite.SetResult();
            answer.SetResult();

            string[] results = await Task.WhenAll(calls).WaitAsync(Limit);
            for (int i = 0; i < Calls; i++)
            {
                Assert.Equal($"call {i}", results[i]);
            }

            // The first call is alone, and is written at once; the 63 behind it go out from the pool, in the batch
            // the pool's writer took before the gate and the one that gathered behind it.
            Assert.Equal(1, writesOnCaller);
            Assert.InRange(recording.Writes, 2, 3);
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // streams the connection does not own are not closed: the calls must fail all the same
    public async Task A_batch_write_that_fails_fails_every_call_waiting_on_the_connection(bool ownsStream)
    {
        // A peer that reads what it is sent and never answers, so that every call stays outstanding.
        (TcpClient connecting, TcpClient accepted) = await ConnectedPairAsync();
        using TcpClient socket = connecting;
        using Socket peer = accepted.Client;
        Task draining = DrainAsync(peer);

        await using var client = new RpcClient(new JsonRpcProtocol(), new StreamClientTransport(new FramedConnection(socket.GetStream(), ownsStream: ownsStream)))
        {
            Timeout = Timeout.InfiniteTimeSpan, // a call left hanging would wait for ever: the test's limit catches it
        };
        Task<string> first = client.CallAsync<string>("reverse_string", "first");
        Assert.Equal(1, client.PendingCalls); // written, and waiting

        // From now on every write fails, while reads would go on waiting: only the failed write can end the calls.
        socket.Client.Shutdown(SocketShutdown.Send);
        Task<string> second = client.CallAsync<string>("reverse_string", "second");
        Task<string> third = client.CallAsync<string>("reverse_string", "third");

        foreach (Task<string> call in new[] { first, second, third })
        {
            await Assert.ThrowsAsync<RpcTransportException>(() => call.WaitAsync(Limit));
        }

        Assert.Equal(0, client.PendingCalls);
        peer.Close();
        await draining.WaitAsync(Limit);
    }

    [Fact]
    public async Task Frames_queued_for_soon_keep_their_order_with_frames_written_at_once()
    {
        (TcpClient sendingEnd, TcpClient receivingEnd) = await ConnectedPairAsync();
        using TcpClient sending = sendingEnd;
        using TcpClient receiving = receivingEnd;
        await using var writer = new FramedConnection(sending.GetStream());
        await using var reader = new FramedConnection(receiving.GetStream());

        // Four threads, each sending its numbered messages in the three ways in turn: each thread's messages must arrive
        // whole and in its order, however the batches interleave.
        const int Threads = 4;
        const int PerThread = 10_000;
        Task[] senders = [.. Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                byte[] message = System.Text.Encoding.ASCII.GetBytes($"{thread}:{i}");
                switch (i % 3)
                {
                    case 0:
                        writer.QueueSoon(message);
                        break;
                    case 1:
                        writer.Queue(message);
                        break;
                    default:
                        await writer.WriteAsync(message);
                        break;
                }
            }
        }))];

        int[] next = new int[Threads];
        using var limit = new CancellationTokenSource(Limit);
        for (int received = 0; received < Threads * PerThread; received++)
        {
            ReadOnlyMemory<byte>? message = await reader.ReadAsync(limit.Token);
            Assert.NotNull(message);
            string[] parts = System.Text.Encoding.ASCII.GetString(message.Value.Span).Split(':');
            int thread = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[thread]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        await Task.WhenAll(senders).WaitAsync(Limit);
        await writer.FlushQueuedAsync().WaitAsync(Limit);
    }

    // Both ends of a TCP connection on 127.0.0.1, Nagle off on the first.
    private static async Task<(TcpClient Connecting, TcpClient Accepted)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task<TcpClient> accepting = listener.AcceptTcpClientAsync();
        var connecting = new TcpClient { NoDelay = true };
        await connecting.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        return (connecting, await accepting);
    }

    private static async Task DrainAsync(Socket peer)
    {
        byte[] buffer = new byte[4096];
        try
        {
            while (await peer.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // closed by the test
        }
    }

    private sealed class WriteRecordingStream(Stream inner) : Stream
    {
        private int _writes;
        private int _writesOnCaller;

        public volatile int Caller = -1;

        public int Writes => Volatile.Read(ref _writes);

        public int WritesOnCaller => Volatile.Read(ref _writesOnCaller);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public TaskCompletionSource OthersMayWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writes);
            if (Environment.CurrentManagedThreadId == Caller)
            {
                Interlocked.Increment(ref _writesOnCaller);
            }
            else
            {
                await OthersMayWrite.Task.WaitAsync(Limit, cancellationToken);
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
