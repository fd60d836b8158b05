using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TinyRpc.AspNetCore;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Hosting.Tests;

/// <summary>Typed clients from AddTinyRpcClient, against real servers on 127.0.0.1.</summary>
public sealed class ClientTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_http_client_calls_through_the_http_client_factory()
    {
        // The server: Kestrel, with the dispatcher AddTinyRpc made, mapped to /rpc.
        WebApplicationBuilder web = WebApplication.CreateSlimBuilder();
        web.WebHost.UseUrls("http://127.0.0.1:0");
        web.Services.AddSingleton<SingletonDependency>().AddScoped<ScopedDependency>().AddSingleton<Gate>();
        web.Services.AddTinyRpc().AddService<CounterService>();
        await using WebApplication app = web.Build();
        app.MapTinyRpc("/rpc", app.Services.GetRequiredService<RpcDispatcher>(), app.Services.GetRequiredService<RpcProtocol>());
        await app.StartAsync(TestContext.Current.CancellationToken);

        var seen = new CountingHandler();
        using IHost host = HostedServerTests.BuildHost(s =>
        {
            OptionsBuilder<TinyRpcClientOptions> options = s.AddTinyRpcClient<ICounter>(o => o.Endpoint = new Uri(app.Urls.First() + "/rpc"));
            s.AddHttpClient(options.Name).AddHttpMessageHandler(() => seen);
        });
        await host.StartAsync(TestContext.Current.CancellationToken);

        ICounter counter = host.Services.GetRequiredService<ICounter>();
        Assert.Equal(1, await counter.CountAsync());
        Assert.Equal(1, seen.Requests); // the request went through the factory's named client
        await host.StopAsync(TestContext.Current.CancellationToken);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Client_options_without_an_endpoint_stop_the_host_from_starting()
    {
        using IHost host = HostedServerTests.BuildHost(s => s.AddTinyRpcClient<ICounter>(o => o.Endpoint = new Uri("ftp://127.0.0.1/")));

        OptionsValidationException e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Endpoint", e.Message);
    }

    [Fact]
    public async Task A_tcp_client_fails_the_calls_in_flight_when_the_connection_drops_and_later_calls_connect_again()
    {
        // The first server is a plain RpcServer, so that the test can cut its connections while a call waits.
        var first = new TcpServerTransport(new IPEndPoint(IPAddress.Loopback, 0));
        int port = first.LocalEndPoint.Port;
        var firstGate = new Gate { Tag = "first" };
        var dispatcher = new RpcDispatcher();
        var singleton = new SingletonDependency();
        dispatcher.RegisterInstance(new CounterService(new ScopedDependency(singleton), singleton, firstGate));
        using var stopFirst = new CancellationTokenSource();
        Task serving = new RpcServer(first, new Protocols.JsonRpc.JsonRpcProtocol(), dispatcher).ServeForeverAsync(stopFirst.Token);

        using IHost clientHost = HostedServerTests.BuildHost(s => s.AddTinyRpcClient<ICounter>(o =>
        {
            o.Endpoint = new Uri($"tcp://127.0.0.1:{port}");
            o.ReconnectDelay = TimeSpan.FromMilliseconds(50);
            o.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        }));
        await clientHost.StartAsync(TestContext.Current.CancellationToken);
        ICounter counter = clientHost.Services.GetRequiredService<ICounter>();
        Assert.EndsWith("/first", await counter.WhoAsync());

        Task<string> inFlight = counter.WaitAsync("never answered");
        await firstGate.Entered.Task.WaitAsync(Long, TestContext.Current.CancellationToken);
        await first.DisposeAsync(); // the connection drops under the waiting call
        await Assert.ThrowsAsync<RpcTransportException>(() => inFlight.WaitAsync(Long, TestContext.Current.CancellationToken));
        firstGate.Release.SetResult();
        await stopFirst.CancelAsync();
        await serving.WaitAsync(Long, TestContext.Current.CancellationToken);

        // A new server on the same port: the next call connects to it (retrying, with back-off, until it listens).
        Task<string> later = counter.WhoAsync();
        using IHost second = HostedServerTests.BuildHost(s =>
            s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, port)));
        second.Services.GetRequiredService<Gate>().Tag = "second";
        await second.StartAsync(TestContext.Current.CancellationToken);

        Assert.EndsWith("/second", await later.WaitAsync(Long, TestContext.Current.CancellationToken));
        Assert.EndsWith("/second", await counter.WhoAsync());
        await second.StopAsync(TestContext.Current.CancellationToken);
        await clientHost.StopAsync(TestContext.Current.CancellationToken);
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
