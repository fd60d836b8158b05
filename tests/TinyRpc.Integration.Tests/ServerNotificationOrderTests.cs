using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Tests.Streaming;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>
/// The server's side of a duplex client starts the client's notifications in the order they came, as a client's
/// connection does: a client's events, and the progress reports of the server's calls to the client, reach the
/// server in order, over a real TCP socket on this machine, with one slot and with many.
/// </summary>
public class ServerNotificationOrderTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public async Task Notifications_a_client_sends_reach_the_servers_method_in_the_order_they_were_sent(int maxConcurrency)
    {
        const int Count = 2000;
        var entered = new List<int>(Count);
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("tick", async (request, _) =>
        {
            int n = request.Arguments.TryGet(0, "n", request.Arguments.IsNamed, out int v) ? v : -1;
            lock (entered)
            {
                entered.Add(n);
                if (entered.Count == Count)
                {
                    all.TrySetResult();
                }
            }

            // Each handler waits, so the next may start while it is still running: only their starts are ordered.
            await Task.Yield();
            return request.Respond();
        }, [new RpcParameter("n", typeof(int))]);
        dispatcher.AddMethod("ping", (request, _) => new(request.Respond("pong")), []);

        await using TcpServerTransport transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher, new RpcServerOptions { MaxConcurrency = maxConcurrency });
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await using var client = new RpcConnection(new JsonRpcProtocol(),
                await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port));
            for (int i = 0; i < Count; i++)
            {
                await client.NotifyAsync("tick", [i]);
            }

            await all.Task.WaitAsync(Limit);
            lock (entered)
            {
                Assert.Equal(Enumerable.Range(0, Count), entered);
            }

            // Requests still run alongside.
            Assert.Equal("pong", await client.CallAsync<string>("ping").WaitAsync(Limit));
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public async Task A_servers_call_to_its_client_gets_every_progress_report_in_order_before_it_completes(int maxConcurrency)
    {
        const int Steps = 500;

        // The server's method holds a slot (the only one, with MaxConcurrency 1) while it calls the client back with a
        // progress: the reports must still reach it, in order, before the call back completes.
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("audit_client", async (request, cancellationToken) =>
        {
            RpcConnection connection = RpcConnection.Of(request)!;
            var progress = new RecordingProgress<int>();
            int result = await connection.GetProxy<IStreamingService>().WorkAsync(Steps, progress).WaitAsync(cancellationToken);
            int[] reports = progress.Reports; // read as the call completes
            return request.Respond(result == Steps && reports.SequenceEqual(Enumerable.Range(1, Steps)) ? "ordered" : $"got {reports.Length}: {string.Join(',', reports.Take(20))}");
        }, []);

        var callbacks = new RpcDispatcher();
        callbacks.RegisterInstance(new StreamingService());
        await using TcpServerTransport transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher, new RpcServerOptions { MaxConcurrency = maxConcurrency });
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await using var client = new RpcConnection(new JsonRpcProtocol(),
                await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port), callbacks);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal("ordered", await client.CallAsync<string>("audit_client").WaitAsync(Limit));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
        }
    }

    [Fact]
    public async Task A_notification_waiting_for_the_only_slot_does_not_hold_up_the_progress_of_the_method_holding_it()
    {
        // The method holds the server's only slot; the client's "tick" comes in meanwhile and waits for that slot; then
        // the method calls the client back with a progress. The reports and the reply must reach the method, though
        // "tick" cannot start before it ends.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tickSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ticked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("audit_client", async (request, cancellationToken) =>
        {
            entered.TrySetResult();
            await tickSent.Task.WaitAsync(cancellationToken);
            var progress = new RecordingProgress<int>();
            int result = await RpcConnection.Of(request)!.GetProxy<IStreamingService>().WorkAsync(10, progress).WaitAsync(cancellationToken);
            return request.Respond(result == 10 && progress.Reports.SequenceEqual(Enumerable.Range(1, 10)) ? "ordered" : $"got {progress.Reports.Length}");
        }, []);
        dispatcher.AddMethod("tick", (request, _) =>
        {
            ticked.TrySetResult();
            return new(request.Respond());
        }, []);

        var callbacks = new RpcDispatcher();
        callbacks.RegisterInstance(new StreamingService());
        await using TcpServerTransport transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher, new RpcServerOptions { MaxConcurrency = 1 });
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await using var client = new RpcConnection(new JsonRpcProtocol(),
                await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port), callbacks);
            Task<string> audit = client.CallAsync<string>("audit_client");
            await entered.Task.WaitAsync(Limit);

            // Written before the method goes on, so the server reads it before the reply to the call back.
            await client.NotifyAsync("tick");
            tickSent.TrySetResult();

            Assert.Equal("ordered", await audit.WaitAsync(Limit));
            await ticked.Task.WaitAsync(Limit); // and the notification still runs, once the slot is free
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
        }
    }
}

/// <summary>
/// A client's connection with one slot serves its server's call back, and that method calls the server with a
/// progress: the reports must reach it though the method holds the connection's only slot (over TCP).
/// </summary>
public class ConnectionProgressWithOneSlotTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_method_holding_a_connections_only_slot_gets_the_progress_of_its_own_call()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new StreamingService());
        dispatcher.AddMethod("ask_client", async (request, cancellationToken)
            => request.Respond(await RpcConnection.Of(request)!.CallAsync<string>("audit_server", null, null, cancellationToken)), []);

        var callbacks = new RpcDispatcher();
        callbacks.AddMethod("audit_server", async (request, cancellationToken) =>
        {
            var progress = new RecordingProgress<int>();
            int result = await RpcConnection.Of(request)!.GetProxy<IStreamingService>().WorkAsync(100, progress).WaitAsync(cancellationToken);
            return request.Respond(result == 100 && progress.Reports.SequenceEqual(Enumerable.Range(1, 100)) ? "ordered" : $"got {progress.Reports.Length}");
        }, []);

        await using TcpServerTransport transport = TcpServerTransport.Loopback();
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await using var client = new RpcConnection(new JsonRpcProtocol(),
                await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port), callbacks,
                new RpcConnectionOptions { MaxConcurrency = 1 });
            Assert.Equal("ordered", await client.CallAsync<string>("ask_client").WaitAsync(Limit));
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Limit);
        }
    }
}
