using System.Globalization;
using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Dispatch;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

/// <summary>
/// How long a TCP connection lives on the server: idle connections, dead peers, peers that vanish mid-frame or never
/// read. Real sockets on loopback.
/// </summary>
public sealed class ConnectionLifetimeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    // The stream transports' test methods, plus hold(): answers once the test opens the gate, and blob(n).
    private static RpcDispatcher CreateDispatcher(TaskCompletionSource? gate = null, TaskCompletionSource? held = null)
    {
        RpcDispatcher dispatcher = ClientServerTests.CreateDispatcher();
        dispatcher.AddMethod("hold", async (r, ct) =>
        {
            held?.TrySetResult();
            await gate!.Task.WaitAsync(ct).ConfigureAwait(false);
            return r.Respond("released");
        }, []);
        dispatcher.AddMethod("blob", static (r, _) => new(r.Respond(new string('x', SomeWebsite.Arg<int>(r, 0, "n")))), [new RpcParameter("n", typeof(int))]);
        return dispatcher;
    }

    private static async Task WaitForConnectionsAsync(ConnectionServerTransport transport, int count)
    {
        using var limit = new CancellationTokenSource(Limit);
        while (transport.ConnectionCount != count)
        {
            await Task.Delay(20, limit.Token);
        }
    }

    // True once the server has closed the connection (end of stream or reset), read within the limit.
    private static async Task<bool> ClosedByServerAsync(TcpClient client)
    {
        var buffer = new byte[4096];
        try
        {
            return await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Limit) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    [Fact]
    public async Task An_idle_connection_is_closed_and_one_with_a_request_in_flight_is_not()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        Assert.Equal(Timeout.InfiniteTimeSpan, transport.IdleTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.IdleTimeout = TimeSpan.Zero);
        transport.IdleTimeout = TimeSpan.FromMilliseconds(300);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher(gate, held));
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        int port = transport.LocalEndPoint.Port;

        // The busy client's call runs until the gate opens, far past the idle timeout. Its connection may go idle
        // before the call arrives on a slow machine: then it is closed and the client tries again.
        RpcClient? busy = null;
        Task<string>? holding = null;
        for (int attempt = 0; attempt < 20 && holding is null; attempt++)
        {
            busy = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port)) { Timeout = Limit };
            Task<string> call = busy.CallAsync<string>("hold");
            if (await Task.WhenAny(held.Task, call).WaitAsync(Limit) == call)
            {
                await busy.DisposeAsync();
                continue;
            }

            holding = call;
        }

        Assert.NotNull(holding);
        await using RpcClient busyClient = busy!;

        // The silent client connects and says nothing: it is closed, and the busy one is not.
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, port);
        Assert.True(await ClosedByServerAsync(silent));
        await WaitForConnectionsAsync(transport, 1);
        Assert.False(holding.IsCompleted);

        // Its reply comes on the connection it was asked on; once answered, that connection is idle in turn.
        gate.SetResult();
        Assert.Equal("released", await holding.WaitAsync(Limit));
        await WaitForConnectionsAsync(transport, 0);
        await Assert.ThrowsAnyAsync<RpcTransportException>(() => busyClient.CallAsync<int>("subtract", 3, 1));

        // The server serves a new client.
        await using var fresh = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port)) { Timeout = Limit };
        Assert.Equal(2, await fresh.CallAsync<int>("subtract", 3, 1));
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task An_idle_named_pipe_connection_is_closed_and_a_new_client_is_served()
    {
        string name = "tinyrpc-idle-" + Guid.NewGuid().ToString("N");
        await using var transport = new NamedPipeServerTransport(name) { IdleTimeout = TimeSpan.FromMilliseconds(300) };
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);

        await using (var silent = new NamedPipeClientStream(".", name, PipeDirection.InOut, PipeOptions.Asynchronous))
        {
            await silent.ConnectAsync(Limit, CancellationToken.None);
            var buffer = new byte[64];
            int read;
            try
            {
                read = await silent.ReadAsync(buffer).AsTask().WaitAsync(Limit);
            }
            catch (IOException)
            {
                read = 0; // broken pipe
            }

            Assert.Equal(0, read);
        }

        await WaitForConnectionsAsync(transport, 0);
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectNamedPipeAsync(name)) { Timeout = Limit };
        Assert.Equal(2, await client.CallAsync<int>("subtract", 3, 1));
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Accepted_sockets_use_the_keep_alive_settings()
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.KeepAliveTime = TimeSpan.FromMilliseconds(500));
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.KeepAliveInterval = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.KeepAliveRetryCount = 0);
        var accepted = new TaskCompletionSource<int[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.SocketAccepted = socket => accepted.TrySetResult(
        [
            (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!,
            (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!,
            (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!,
            (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!,
        ]);
        transport.KeepAliveTime = TimeSpan.FromSeconds(7);
        transport.KeepAliveInterval = TimeSpan.FromSeconds(3);
        transport.KeepAliveRetryCount = 4;
        transport.Start();

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, transport.LocalEndPoint.Port);
        int[] options = await accepted.Task.WaitAsync(Limit);
        Assert.NotEqual(0, options[0]);
        Assert.Equal([7, 3, 4], options[1..]);
    }

    [Fact]
    public async Task Keep_alive_can_be_turned_off()
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        var accepted = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.SocketAccepted = socket => accepted.TrySetResult((int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        transport.KeepAliveTime = Timeout.InfiniteTimeSpan;
        transport.Start();

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, transport.LocalEndPoint.Port);
        Assert.Equal(0, await accepted.Task.WaitAsync(Limit));
    }

    [Fact]
    public async Task A_thousand_connections_reset_halfway_through_a_frame_leave_nothing_behind()
    {
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        int port = transport.LocalEndPoint.Port;
        byte[] half = "Content-Length: 60\r\n\r\n{\"jsonrpc\":\"2.0\",\"me"u8.ToArray();

        // Fifty at a time, each waiting until the server has read its half frame, so that the reset finds it mid-message.
        for (int batch = 0; batch < 20; batch++)
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
            {
                using var raw = new TcpClient { NoDelay = true };
                await raw.ConnectAsync(IPAddress.Loopback, port);
                await raw.GetStream().WriteAsync(half);
                raw.Client.LingerState = new LingerOption(true, 0); // a reset, not a clean close
            })).WaitAsync(Limit);
        }

        // Every connection is released, and the server serves a new client.
        await WaitForConnectionsAsync(transport, 0);
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port)) { Timeout = Limit };
        Assert.Equal(4, await client.CallAsync<int>("subtract", 5, 1));
        Assert.False(serving.IsCompleted);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_client_that_never_reads_costs_the_server_at_most_its_share()
    {
        const int replySize = 16 * 1024;
        const int maxQueued = 256 * 1024;
        const int maxInFlight = 8;
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
        transport.MaxQueuedReplyBytesPerConnection = maxQueued;
        transport.MaxRequestsInFlightPerConnection = maxInFlight;
        var server = new RpcServer(transport, new JsonRpcProtocol(), CreateDispatcher());
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);

        // The hog sends requests for 16 KiB replies, a thousand per write, for three seconds or until its writes stop
        // going through (the server stopped reading and the buffers filled up), and reads nothing.
        using var hog = new TcpClient { ReceiveBufferSize = 4096, NoDelay = true };
        await hog.ConnectAsync(IPAddress.Loopback, transport.LocalEndPoint.Port);
        var requests = new StringBuilder();
        for (int i = 0; i < 1000; i++)
        {
            string request = $$"""{"jsonrpc":"2.0","method":"blob","params":[{{replySize}}],"id":{{i}}}""";
            requests.Append(CultureInfo.InvariantCulture, $"Content-Length: {request.Length}\r\n\r\n{request}");
        }

        byte[] block = Encoding.ASCII.GetBytes(requests.ToString());
        long sent = 0;
        using (var sending = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
        {
            try
            {
                while (true)
                {
                    await hog.GetStream().WriteAsync(block, sending.Token);
                    sent += 1000;
                }
            }
            catch (OperationCanceledException)
            {
                // The server held the hog back.
            }
        }

        // The connection's share: the queued-bytes limit, plus the replies to the requests in flight when reading stopped.
        long peak = transport.PeakQueuedReplyBytes;
        const long bound = maxQueued + (maxInFlight * (replySize + 1024));
        TestContext.Current.TestOutputHelper?.WriteLine($"peak queued reply bytes: {peak} (bound {bound}); requests sent: {sent}");
        Assert.True(peak <= bound, $"The server held {peak} reply bytes for a client that does not read; the bound is {bound}.");
        Assert.True(peak > 0, $"The server held {peak} reply bytes; the hog sent {sent} requests in whole writes.");

        // The others are served meanwhile.
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port)) { Timeout = Limit };
        Assert.Equal(4, await client.CallAsync<int>("subtract", 5, 1));
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }
}
