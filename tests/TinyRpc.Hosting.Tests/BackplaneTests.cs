using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Hosting.Tests;

/// <summary>
/// Joins the RabbitMQ backplane for a hosted server once the host has started its servers, and leaves it once they have
/// all stopped. The code docs/hosting.md shows: TinyRpc.Hosting and TinyRpc.RabbitMQ do not depend on each other, so an
/// application writes these few lines itself.
/// </summary>
public sealed class HostedBackplane(TinyRpcHostedServer server, string hostName, string exchange) : IHostedLifecycleService
{
    private RabbitMQBackplane? _backplane;

    /// <summary>The backplane, once the host has started.</summary>
    public RabbitMQBackplane Backplane => _backplane ?? throw new InvalidOperationException("The host has not started yet.");

    // After every hosted service's StartAsync: the server exists and listens.
    public async Task StartedAsync(CancellationToken cancellationToken)
        => _backplane = await RabbitMQBackplane.CreateAsync(server.Server!, hostName, exchange, cancellationToken: cancellationToken);

    // After every hosted service's StopAsync: calls in flight may broadcast until the servers have drained them.
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_backplane is not null)
        {
            await _backplane.DisposeAsync();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Two hosts in one process, each with a hosted TCP server on the same backplane, against the broker on 127.0.0.1:5672.</summary>
public sealed class BackplaneTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static IHost BuildHost(string exchange) => HostedServerTests.BuildHost(services =>
    {
        services.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0));
        services.AddSingleton(p => new HostedBackplane(p.GetRequiredKeyedService<TinyRpcHostedServer>("tcp"), "127.0.0.1", exchange));
        services.AddHostedService(p => p.GetRequiredService<HostedBackplane>());
    });

    [Fact]
    public async Task A_broadcast_of_one_host_reaches_the_clients_of_another_and_its_own()
    {
        string exchange = "tinyrpc-hosting-" + Guid.NewGuid().ToString("N");
        try
        {
            using IHost a = BuildHost(exchange);
            using IHost b = BuildHost(exchange);
            await a.StartAsync(TestContext.Current.CancellationToken);
            await b.StartAsync(TestContext.Current.CancellationToken);
            await using Listener onA = await Listener.ConnectAsync(HostedServerTests.TcpEndPoint(a));
            await using Listener onB = await Listener.ConnectAsync(HostedServerTests.TcpEndPoint(b));

            await a.Services.GetRequiredService<HostedBackplane>().Backplane.BroadcastAsync("heard", ["hello"], cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal("hello", await onB.Heard.Task.WaitAsync(Long, TestContext.Current.CancellationToken));
            Assert.Equal("hello", await onA.Heard.Task.WaitAsync(Long, TestContext.Current.CancellationToken));
            Assert.Equal(1, b.Services.GetRequiredService<HostedBackplane>().Backplane.Received);

            // Stopping the host leaves the backplane.
            RabbitMQBackplane left = a.Services.GetRequiredService<HostedBackplane>().Backplane;
            await a.StopAsync(TestContext.Current.CancellationToken);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => left.BroadcastAsync("heard", ["late"], cancellationToken: TestContext.Current.CancellationToken));
            await b.StopAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            await using IConnection admin = await new ConnectionFactory { HostName = "127.0.0.1" }.CreateConnectionAsync("TinyRpc hosting test cleanup", CancellationToken.None);
            await using IChannel channel = await admin.CreateChannelAsync(cancellationToken: CancellationToken.None);
            await channel.ExchangeDeleteAsync(exchange, cancellationToken: CancellationToken.None);
        }
    }

    /// <summary>A TCP client that keeps its connection and records the first <c>heard</c> notification it is sent.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        private RpcConnection _connection = null!;

        public TaskCompletionSource<string> Heard { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<Listener> ConnectAsync(IPEndPoint endpoint)
        {
            var listener = new Listener();
            var dispatcher = new RpcDispatcher();
            dispatcher.AddMethod("heard", (request, _) =>
            {
                listener.Heard.TrySetResult(request.Arguments.TryGet(0, "what", request.Arguments.IsNamed, out string? what) ? what! : "?");
                return new(request.Respond());
            }, [new RpcParameter("what", typeof(string))]);
            listener._connection = new RpcConnection(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", endpoint.Port), dispatcher);

            // Answered only once the server has taken the connection in: from then on a broadcast reaches it.
            Assert.Equal(1, await listener._connection.GetProxy<ICounter>().CountAsync().WaitAsync(Long));
            return listener;
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
