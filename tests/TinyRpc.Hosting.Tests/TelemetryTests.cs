using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using TinyRpc.Dispatch;

namespace TinyRpc.Hosting.Tests;

/// <summary>Under the host, the call duration histograms come from the container's IMeterFactory.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task The_hosted_server_and_the_container_clients_record_through_the_hosts_meter_factory()
    {
        using IHost host = HostedServerTests.BuildHost(s => s.AddTinyRpc().AddService<CounterService>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0)));
        IMeterFactory meters = host.Services.GetRequiredService<IMeterFactory>();
        Assert.Same(meters, host.Services.GetRequiredService<RpcDispatcher>().MeterFactory);

        // A collector given a factory sees only the instruments of that factory's meters.
        using var server = new MetricCollector<double>(meters, RpcTelemetry.MeterName, "rpc.server.call.duration");
        await host.StartAsync(TestContext.Current.CancellationToken);
        int port = HostedServerTests.TcpEndPoint(host).Port;

        using IHost clientHost = HostedServerTests.BuildHost(s => s.AddTinyRpcClient<ICounter>(o => o.Endpoint = new Uri($"tcp://127.0.0.1:{port}")));
        IMeterFactory clientMeters = clientHost.Services.GetRequiredService<IMeterFactory>();
        using var client = new MetricCollector<double>(clientMeters, RpcTelemetry.MeterName, "rpc.client.call.duration");
        using var clientHostServer = new MetricCollector<double>(clientMeters, RpcTelemetry.MeterName, "rpc.server.call.duration");
        using var serverHostClient = new MetricCollector<double>(meters, RpcTelemetry.MeterName, "rpc.client.call.duration");
        await clientHost.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, await clientHost.Services.GetRequiredService<ICounter>().CountAsync());

        CollectedMeasurement<double> served = Assert.Single(server.GetMeasurementSnapshot());
        Assert.Equal("jsonrpc", served.Tags["rpc.system.name"]);
        Assert.Equal("CountAsync", served.Tags["rpc.method"]);
        CollectedMeasurement<double> called = Assert.Single(client.GetMeasurementSnapshot());
        Assert.Equal("CountAsync", called.Tags["rpc.method"]);
        Assert.Equal("s", client.Instrument!.Unit);
        Assert.Empty(clientHostServer.GetMeasurementSnapshot());
        Assert.Empty(serverHostClient.GetMeasurementSnapshot());
        await clientHost.StopAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
