using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TinyRpc.Tests;

/// <summary>
/// The real OpenTelemetry SDK, listening to TinyRpc's activity source and meter and exporting to memory. Listeners are
/// process-wide and tests run in parallel, so every test reads only its own spans: those of the trace it started
/// (<see cref="StartRoot"/>) or those of a method name nobody else uses.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    public const string TestSourceName = "TinyRpc.Tests.Telemetry";

    private static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly LockedList<Activity> _spans = new();
    private readonly LockedList<MetricSnapshot> _metrics = new();
    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    public TelemetryCapture()
    {
        _tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(RpcTelemetry.ActivitySourceName, TestSourceName)
            .AddInMemoryExporter(_spans)
            .Build()!;
        _meter = Sdk.CreateMeterProviderBuilder()
            .AddMeter(RpcTelemetry.MeterName)
            .AddInMemoryExporter(_metrics)
            .Build()!;
    }

    /// <summary>Starts a root span of the test's own, whose trace the test's calls belong to.</summary>
    public static Activity StartRoot(string name = "test") => TestSource.StartActivity(name, ActivityKind.Internal)
        ?? throw new InvalidOperationException("The test's source has no listener.");

    /// <summary>The TinyRpc spans exported so far that match <paramref name="match"/>.</summary>
    public List<Activity> Spans(Func<Activity, bool> match)
    {
        lock (_spans)
        {
            return [.. _spans.Where(s => s.Source.Name == RpcTelemetry.ActivitySourceName && match(s))];
        }
    }

    /// <summary>Every span exported so far, of any source listened to, that matches <paramref name="match"/>.</summary>
    public List<Activity> AllSpans(Func<Activity, bool> match)
    {
        lock (_spans)
        {
            return [.. _spans.Where(match)];
        }
    }

    /// <summary>The spans of the TinyRpc source in <paramref name="trace"/>.</summary>
    public List<Activity> SpansOf(ActivityTraceId trace) => Spans(s => s.TraceId == trace);

    /// <summary>Waits (bounded) until <paramref name="count"/> spans match: a server span may end just after its reply left.</summary>
    public async Task<List<Activity>> WaitForSpansAsync(Func<Activity, bool> match, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            List<Activity> found = Spans(match);
            if (found.Count >= count)
            {
                return found;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>The points of <paramref name="instrument"/> (collected now) whose tags match, with the instrument's unit.</summary>
    public List<(string Unit, MetricPoint Point)> Points(string instrument, Func<IReadOnlyDictionary<string, object?>, bool> match)
    {
        lock (_metrics)
        {
            _metrics.Clear();
        }

        _meter.ForceFlush();
        lock (_metrics)
        {
            return [.. _metrics.Where(m => m.Name == instrument)
                .SelectMany(m => m.MetricPoints.Select(p => (m.Unit, p)))
                .Where(x => match(TagsOf(x.p)))];
        }
    }

    public static IReadOnlyDictionary<string, object?> TagsOf(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _meter.Dispose();
    }

    /// <summary>A list the exporter adds to from any thread while the test reads it (under the same lock).</summary>
    private sealed class LockedList<T> : ICollection<T>
    {
        private readonly List<T> _items = [];

        public int Count
        {
            get
            {
                lock (this)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public void Add(T item)
        {
            lock (this)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (this)
            {
                _items.Clear();
            }
        }

        public bool Contains(T item)
        {
            lock (this)
            {
                return _items.Contains(item);
            }
        }

        public void CopyTo(T[] array, int arrayIndex)
        {
            lock (this)
            {
                _items.CopyTo(array, arrayIndex);
            }
        }

        public bool Remove(T item)
        {
            lock (this)
            {
                return _items.Remove(item);
            }
        }

        /// <summary>A copy: enumerate it without holding the lock.</summary>
        public IEnumerator<T> GetEnumerator()
        {
            lock (this)
            {
                return _items.ToList().GetEnumerator();
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
