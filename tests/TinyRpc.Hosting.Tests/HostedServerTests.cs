using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using TinyRpc.Client;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.Hosting.Tests;

/// <summary>The servers of AddTinyRpc in the real generic host, over real sockets on 127.0.0.1.</summary>
public sealed class HostedServerTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    internal static IHost BuildHost(Action<IServiceCollection> configure, Dictionary<string, string?>? settings = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton<SingletonDependency>();
        builder.Services.AddScoped<ScopedDependency>();
        builder.Services.AddSingleton<Gate>();
        configure(builder.Services);
        return builder.Build();
    }

    internal static IPEndPoint TcpEndPoint(IHost host, string name = "tcp")
        => ((TcpServerTransport)host.Services.GetRequiredKeyedService<TinyRpcHostedServer>(name).Transport!).LocalEndPoint;

    internal static async Task<RpcClient> ConnectAsync(IPEndPoint endpoint)
        => new(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", endpoint.Port));

    [Fact]
    public async Task A_tcp_server_serves_a_service_taken_from_the_container()
    {
        using IHost host = BuildHost(s => s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0)));
        await host.StartAsync(TestContext.Current.CancellationToken);

        await using RpcClient client = await ConnectAsync(TcpEndPoint(host));
        string who = await client.GetProxy<ICounter>().WhoAsync();

        Assert.EndsWith("/" + host.Services.GetRequiredService<SingletonDependency>().Id + "/", who);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_servers_log_through_the_hosts_logging()
    {
        using IHost host = BuildHost(s =>
        {
            s.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
            s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0));
        });
        await host.StartAsync(TestContext.Current.CancellationToken);
        FakeLogCollector logs = host.Services.GetFakeLogCollector();

        await using (RpcClient client = await ConnectAsync(TcpEndPoint(host)))
        {
            await client.GetProxy<ICounter>().WhoAsync();
        }

        // Event 20: a client of the server connected, written to the logger the host configured.
        using var timeout = new CancellationTokenSource(Long);
        while (!logs.GetSnapshot().Any(static r => r.Id.Id == 20 && r.Category == "TinyRpc"))
        {
            await Task.Delay(10, timeout.Token);
        }

        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_scoped_service_gets_a_new_scope_for_each_call_and_the_scope_is_disposed_after_it()
    {
        using IHost host = BuildHost(s => s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0)));
        await host.StartAsync(TestContext.Current.CancellationToken);
        await using RpcClient client = await ConnectAsync(TcpEndPoint(host));
        ICounter counter = client.GetProxy<ICounter>();

        string[] first = (await counter.WhoAsync()).Split('/');
        string[] second = (await counter.WhoAsync()).Split('/');
        int count1 = await counter.CountAsync();
        int count2 = await counter.CountAsync();

        Assert.NotEqual(first[0], second[0]); // the scoped dependency is new for each call
        Assert.Equal(first[1], second[1]); // the singleton stays one
        Assert.Equal((1, 1), (count1, count2)); // the service itself is scoped: a new instance per call
        SingletonDependency singleton = host.Services.GetRequiredService<SingletonDependency>();
        Assert.Contains(Guid.Parse(first[0]), singleton.Disposed);
        Assert.Contains(Guid.Parse(second[0]), singleton.Disposed);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_service_registered_as_a_singleton_stays_one_instance()
    {
        using IHost host = BuildHost(s =>
        {
            s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0));
            s.AddSingleton<CounterService>(); // after AddService: the last registration decides
            s.AddSingleton<ScopedDependency>();
        });
        await host.StartAsync(TestContext.Current.CancellationToken);
        await using RpcClient client = await ConnectAsync(TcpEndPoint(host));
        ICounter counter = client.GetProxy<ICounter>();

        Assert.Equal(1, await counter.CountAsync());
        Assert.Equal(2, await counter.CountAsync());
        Assert.Same(host.Services.GetRequiredService<CounterService>(), host.Services.GetRequiredService<CounterService>());
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_named_pipe_server_serves_too()
    {
        string pipe = "tinyrpc-hosting-" + Guid.NewGuid().ToString("N");
        using IHost host = BuildHost(s => s.AddTinyRpc().AddService<CounterService>().AddNamedPipeServer(pipe));
        await host.StartAsync(TestContext.Current.CancellationToken);

        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectNamedPipeAsync(pipe));
        Assert.Equal(1, await client.GetProxy<ICounter>().CountAsync());
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_server_added_with_its_own_transport_factory_serves()
    {
        using IHost host = BuildHost(s => s.AddTinyRpc().AddService<CounterService>().AddServer("mine", _ => TcpServerTransport.Loopback()));
        await host.StartAsync(TestContext.Current.CancellationToken);

        await using RpcClient client = await ConnectAsync(TcpEndPoint(host, "mine"));
        Assert.Equal(1, await client.GetProxy<ICounter>().CountAsync());
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Options_bind_from_configuration_and_an_invalid_value_stops_the_host_from_starting()
    {
        using IHost good = BuildHost(s =>
        {
            s.AddTinyRpc();
            s.AddOptions<TinyRpcOptions>().BindConfiguration("TinyRpc");
        }, new() { ["TinyRpc:MaxConcurrency"] = "5", ["TinyRpc:IncludeExceptionDetails"] = "true" });
        TinyRpcOptions options = good.Services.GetRequiredService<IOptions<TinyRpcOptions>>().Value;
        Assert.Equal((5, true), (options.MaxConcurrency, options.IncludeExceptionDetails));

        using IHost bad = BuildHost(s =>
        {
            s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0));
            s.AddOptions<TinyRpcOptions>().BindConfiguration("TinyRpc");
        }, new() { ["TinyRpc:MaxConcurrency"] = "0" });
        OptionsValidationException e = await Assert.ThrowsAsync<OptionsValidationException>(() => bad.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("MaxConcurrency", e.Message);
    }

    [Fact]
    public async Task Stopping_the_host_lets_a_call_in_flight_finish_and_its_reply_arrives()
    {
        using IHost host = BuildHost(s => s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0)));
        await host.StartAsync(TestContext.Current.CancellationToken);
        Gate gate = host.Services.GetRequiredService<Gate>();
        await using RpcClient client = await ConnectAsync(TcpEndPoint(host));

        Task<string> call = client.GetProxy<ICounter>().WaitAsync("done");
        await gate.Entered.Task.WaitAsync(Long, TestContext.Current.CancellationToken);
        Task stopping = host.StopAsync(CancellationToken.None);
        Assert.False(stopping.IsCompleted); // it waits for the call (the host's deadline is 30 s)

        gate.Release.SetResult();
        Assert.Equal("done", await call.WaitAsync(Long, TestContext.Current.CancellationToken));
        await stopping.WaitAsync(Long, TestContext.Current.CancellationToken);
        Assert.Equal(TinyRpcServerState.Stopped, host.Services.GetRequiredKeyedService<TinyRpcHostedServer>("tcp").State);
    }

    [Fact]
    public async Task At_the_hosts_shutdown_deadline_calls_in_flight_are_cancelled_with_no_second_timeout_of_the_server()
    {
        // The host gives 1 s; RpcServerOptions.ShutdownTimeout (30 s by default) must not be waited on top of it.
        using IHost host = BuildHost(s =>
        {
            s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
            s.AddTinyRpc().AddService<StubbornService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0));
        });
        await host.StartAsync(TestContext.Current.CancellationToken);
        Gate gate = host.Services.GetRequiredService<Gate>();
        await using RpcClient client = await ConnectAsync(TcpEndPoint(host));

        Task<string> call = client.CallAsync<string>("HangAsync");
        await gate.Entered.Task.WaitAsync(Long, TestContext.Current.CancellationToken);
        await host.StopAsync(CancellationToken.None).WaitAsync(Long, TestContext.Current.CancellationToken);

        // Well inside the server's own 30 s: only the host's deadline can have cancelled it.
        await gate.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(Long, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Each_server_has_a_health_check_healthy_while_it_listens()
    {
        using IHost host = BuildHost(s => s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0)));
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();

        HealthReport before = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        await host.StartAsync(TestContext.Current.CancellationToken);
        HealthReport serving = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        IPEndPoint endpoint = TcpEndPoint(host);
        await host.StopAsync(TestContext.Current.CancellationToken);
        HealthReport after = await health.CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, before.Entries["tinyrpc:tcp"].Status);
        Assert.Equal(HealthStatus.Healthy, serving.Entries["tinyrpc:tcp"].Status);
        Assert.Equal(endpoint.ToString(), serving.Entries["tinyrpc:tcp"].Data["endpoint"]);
        Assert.Contains("tinyrpc", serving.Entries["tinyrpc:tcp"].Tags);
        Assert.True(after.Entries["tinyrpc:tcp"].Status == HealthStatus.Unhealthy, after.Entries["tinyrpc:tcp"].Description + " " + host.Services.GetRequiredKeyedService<TinyRpcHostedServer>("tcp").State);
    }

    [Fact]
    public async Task A_server_that_cannot_listen_fails_the_start_and_its_health_check_says_why()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Server.ExclusiveAddressUse = true;
        taken.Start();
        var endpoint = (IPEndPoint)taken.LocalEndpoint;
        using IHost host = BuildHost(s => s.AddTinyRpc().AddService<CounterService>().AddTcpServer(endpoint));

        await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(TestContext.Current.CancellationToken));
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["tinyrpc:tcp"].Status);
        Assert.NotNull(report.Entries["tinyrpc:tcp"].Exception);
        Assert.Equal(TinyRpcServerState.Failed, host.Services.GetRequiredKeyedService<TinyRpcHostedServer>("tcp").State);
    }
}
