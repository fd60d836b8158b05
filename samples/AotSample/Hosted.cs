using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TinyRpc;
using TinyRpc.Hosting;
using TinyRpc.Transports;

namespace AotSample;

/// <summary>Says which call scope it ran in; taken from the container for each call.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IScopeProbe
{
    [Public]
    Task<string> WhoAsync(string caller);
}

/// <summary>The service, with a scoped dependency: a new one for every call.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class ScopeProbe(CallScope scope) : IScopeProbe
{
    public Task<string> WhoAsync(string caller) => Task.FromResult($"{caller} in scope {scope.Id:N}");
}

/// <summary>A scoped dependency; counts the scopes disposed, so the sample can tell each call's scope ended.</summary>
public sealed class CallScope : IDisposable
{
    private static int s_disposed;

    public static int Disposed => Volatile.Read(ref s_disposed);

    public Guid Id { get; } = Guid.NewGuid();

    public void Dispose() => Interlocked.Increment(ref s_disposed);
}

/// <summary>
/// TinyRpc.Hosting under NativeAOT: a generic host serves <see cref="ScopeProbe"/> (a scope per call) on a hosted TCP
/// server, a second host calls it through a proxy from <c>AddTinyRpcClient</c>, and logs, traces and metrics go through
/// OpenTelemetry to memory, where the sample checks them.
/// </summary>
internal static class Hosted
{
    public static async Task RunAsync(Action<string, string, string, string> check)
    {
        var logs = new List<LogRecord>();
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Debug); // a client connecting is logged at Debug (docs/logging.md)
        builder.Logging.AddOpenTelemetry(o => o.AddInMemoryExporter(logs));
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(RpcTelemetry.ActivitySourceName).AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddMeter(RpcTelemetry.MeterName).AddInMemoryExporter(metrics));
        builder.Services.AddScoped<CallScope>();
        builder.Services.AddTinyRpc().AddService<ScopeProbe>().AddTcpServer(new IPEndPoint(IPAddress.Loopback, 0));
        using IHost server = builder.Build();
        await server.StartAsync();
        IPEndPoint endpoint = ((TcpServerTransport)server.Services.GetRequiredKeyedService<TinyRpcHostedServer>("tcp").Transport!).LocalEndPoint;

        HostApplicationBuilder clientBuilder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        clientBuilder.Services.AddTinyRpcClient<IScopeProbe>(o => o.Endpoint = new Uri($"tcp://{endpoint}"));
        using IHost client = clientBuilder.Build();
        await client.StartAsync();

        IScopeProbe probe = client.Services.GetRequiredService<IScopeProbe>();
        string first = await probe.WhoAsync("first");
        string second = await probe.WhoAsync("second");
        check("hosted", "who", first[..first.IndexOf(' ', StringComparison.Ordinal)], "first");
        check("hosted", "scope per call", first[^32..] == second[^32..] ? "shared" : "new", "new");

        await client.StopAsync();
        await server.StopAsync(); // the calls in flight finish first; after it every server span has ended
        server.Services.GetRequiredService<MeterProvider>().ForceFlush();

        check("hosted", "scopes disposed", CallScope.Disposed.ToString(System.Globalization.CultureInfo.InvariantCulture), "2");
        check("hosted", "server spans", spans.Count(a => a.Kind == ActivityKind.Server && a.DisplayName == "who").ToString(System.Globalization.CultureInfo.InvariantCulture), "2");
        check("hosted", "metric", metrics.Any(m => m.Name == "rpc.server.call.duration") ? "rpc.server.call.duration" : "none", "rpc.server.call.duration");
        check("hosted", "log", logs.Any(l => l.CategoryName == "TinyRpc" && l.EventId.Id == 20) ? "client connected" : "none", "client connected");
    }
}
