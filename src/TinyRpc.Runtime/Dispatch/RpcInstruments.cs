using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TinyRpc.Dispatch;

/// <summary>The activity source, and the histograms of one <see cref="Meter"/> (the shared one, or one from an IMeterFactory).</summary>
internal sealed class RpcInstruments
{
    public static readonly ActivitySource Source = new(RpcTelemetry.ActivitySourceName, Version);

    // Made on first use, so that a process that never calls or serves creates no meter.
    private static RpcInstruments? s_shared;

    // The OpenTelemetry RPC conventions' advice for both duration histograms, in seconds.
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    public RpcInstruments(Meter meter)
    {
        Meter = meter;
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets };
        ClientDuration = meter.CreateHistogram("rpc.client.call.duration", "s", "Duration of RPC calls made, as the client sees them.", tags: null, advice);
        ServerDuration = meter.CreateHistogram("rpc.server.call.duration", "s", "Duration of RPC calls served, from the parsed request to its response.", tags: null, advice);
    }

    /// <summary>The instruments of the static meter, for code that is not given an IMeterFactory.</summary>
    public static RpcInstruments Shared
    {
        get
        {
            if (s_shared is { } shared)
            {
                return shared;
            }

            var made = new RpcInstruments(new Meter(RpcTelemetry.MeterName, Version));
            RpcInstruments? raced = Interlocked.CompareExchange(ref s_shared, made, null);
            if (raced is not null)
            {
                made.Meter.Dispose();
                return raced;
            }

            return made;
        }
    }

    public static string? Version { get; } = typeof(RpcInstruments).Assembly.GetName().Version?.ToString();

    public Meter Meter { get; }

    public Histogram<double> ClientDuration { get; }

    public Histogram<double> ServerDuration { get; }

    /// <summary>Makes the instruments of a meter from <paramref name="factory"/> (which hands out one meter per name).</summary>
    public static RpcInstruments From(IMeterFactory factory)
        => ByMeter.GetValue(factory.Create(new MeterOptions(RpcTelemetry.MeterName) { Version = Version }), static meter => new RpcInstruments(meter));

    // A container's clients are made one per proxy: they share their meter's instruments.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Meter, RpcInstruments> ByMeter = new();
}
