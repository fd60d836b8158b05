using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.Hosting.Tests;

/// <summary>
/// ZeroMQ and RabbitMQ servers in the real generic host, added with <c>AddServer</c> as docs/hosting.md shows: a real
/// ROUTER socket on 127.0.0.1 called by a REQ client, and the RabbitMQ broker on 127.0.0.1:5672 with a queue of each
/// test's own. Stopping the host lets the call in flight finish and answer; then the server is closed.
/// </summary>
public sealed class BrokeredServerTests
{
    private const string BrokerHost = "127.0.0.1";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_hosted_zeromq_server_answers_the_call_in_flight_when_the_host_stops_then_closes()
    {
        using IHost host = HostedServerTests.BuildHost(s => s.AddTinyRpc()
            .AddService<CounterService>()
            .AddServer("zmq", _ => ZmqServerTransport.Create("tcp://127.0.0.1:*")));
        await host.StartAsync(TestContext.Current.CancellationToken);
        TinyRpcHostedServer hosted = host.Services.GetRequiredKeyedService<TinyRpcHostedServer>("zmq");
        string endpoint = ((ZmqServerTransport)hosted.Transport!).Endpoint!;

        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(endpoint));
        ICounter counter = client.GetProxy<ICounter>();
        Assert.Equal(1, await counter.CountAsync().WaitAsync(Long, TestContext.Current.CancellationToken));

        await StopWhileACallIsInFlightAsync(host, "zmq", counter);

        // Closed: a new client's call gets no answer, and says so when its own timeout ends.
        var late = ZmqClientTransport.Create(endpoint);
        late.Timeout = TimeSpan.FromSeconds(2);
        await using var lateClient = new RpcClient(new JsonRpcProtocol(), late);
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => lateClient.GetProxy<ICounter>().CountAsync().WaitAsync(Long, TestContext.Current.CancellationToken));
        Assert.Contains("ZeroMQ", e.Message);
    }

    [Fact]
    public async Task A_hosted_rabbitmq_server_answers_the_call_in_flight_when_the_host_stops_then_closes()
    {
        string queue = "tinyrpc-hosting-" + Guid.NewGuid().ToString("N");
        try
        {
            using IHost host = HostedServerTests.BuildHost(s => s.AddTinyRpc()
                .AddService<CounterService>()
                .AddServer("rabbitmq", async (_, cancellationToken) => await RabbitMQServerTransport.CreateAsync(BrokerHost, queue, cancellationToken: cancellationToken)));
            await host.StartAsync(TestContext.Current.CancellationToken);

            await using RabbitMQClientTransport transport = await RabbitMQClientTransport.CreateAsync(BrokerHost, queue, cancellationToken: TestContext.Current.CancellationToken);
            await using var client = new RpcClient(new JsonRpcProtocol(), transport);
            ICounter counter = client.GetProxy<ICounter>();
            Assert.Equal(1, await counter.CountAsync().WaitAsync(Long, TestContext.Current.CancellationToken));

            await StopWhileACallIsInFlightAsync(host, "rabbitmq", counter);

            // Closed: nobody consumes the queue any more, and the call says so when its timeout ends.
            transport.Timeout = TimeSpan.FromSeconds(2);
            RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => counter.CountAsync().WaitAsync(Long, TestContext.Current.CancellationToken));
            Assert.Contains("No reply within", e.Message);
        }
        finally
        {
            await using IConnection admin = await new ConnectionFactory { HostName = BrokerHost }.CreateConnectionAsync("TinyRpc hosting test cleanup", CancellationToken.None);
            await using IChannel channel = await admin.CreateChannelAsync(cancellationToken: CancellationToken.None);
            await channel.QueueDeleteAsync(queue, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_transport_factory_that_fails_asynchronously_fails_the_start_and_the_health_check_says_why()
    {
        using IHost host = HostedServerTests.BuildHost(s => s.AddTinyRpc()
            .AddService<CounterService>()
            .AddServer("broken", async (_, cancellationToken) =>
            {
                await Task.Yield();
                throw new RpcTransportException("The broker cannot be reached.");
            }));

        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal("The broker cannot be reached.", e.Message);
        Assert.Equal(TinyRpcServerState.Failed, host.Services.GetRequiredKeyedService<TinyRpcHostedServer>("broken").State);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["tinyrpc:broken"].Status);
        Assert.Same(e, report.Entries["tinyrpc:broken"].Exception);
    }

    /// <summary>
    /// Starts a call that waits on the gate, stops the host meanwhile (the server stops receiving before StopAsync
    /// returns its task), and checks that stopping waits for the call without cancelling it, that the call's reply arrives
    /// once it is released, and that the server then reports itself stopped and unhealthy.
    /// </summary>
    private static async Task StopWhileACallIsInFlightAsync(IHost host, string name, ICounter counter)
    {
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        HealthReport serving = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, serving.Entries["tinyrpc:" + name].Status);

        Gate gate = host.Services.GetRequiredService<Gate>();
        Task<string> call = counter.DrainAsync(TestContext.Current.CancellationToken);
        await gate.Entered.Task.WaitAsync(Long, TestContext.Current.CancellationToken);
        Task stopping = host.StopAsync(CancellationToken.None);

        // While it drains the call it takes no new requests, and its health check says so (a load balancer looks elsewhere).
        HealthReportEntry draining = await WaitUntilUnhealthyAsync(health, name);
        Assert.Contains("Stopping", draining.Description);
        Assert.False(stopping.IsCompleted); // it waits for the call (the host's deadline is 30 s)

        gate.Release.SetResult();
        Assert.Equal("done", await call.WaitAsync(Long, TestContext.Current.CancellationToken)); // not "cancelled": the deadline is 30 s away
        await stopping.WaitAsync(Long, TestContext.Current.CancellationToken);

        Assert.Equal(TinyRpcServerState.Stopped, host.Services.GetRequiredKeyedService<TinyRpcHostedServer>(name).State);
        HealthReport stopped = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Unhealthy, stopped.Entries["tinyrpc:" + name].Status);
    }

    private static async Task<HealthReportEntry> WaitUntilUnhealthyAsync(HealthCheckService health, string name)
    {
        using var timeout = new CancellationTokenSource(Long);
        while (true)
        {
            HealthReportEntry entry = (await health.CheckHealthAsync(timeout.Token)).Entries["tinyrpc:" + name];
            if (entry.Status != HealthStatus.Healthy)
            {
                return entry;
            }

            await Task.Delay(10, timeout.Token);
        }
    }
}
