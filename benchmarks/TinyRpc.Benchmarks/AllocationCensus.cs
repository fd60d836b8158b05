using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Where the bytes go: runs one contender's call many times and lists the allocated types, sampled by the
/// runtime's allocation-tick events (one about every 100 KB), with each type's share of the bytes per call.
/// <c>dotnet run -c Release --project benchmarks/TinyRpc.Benchmarks -- --allocations inmemory TinyRpc reverse_string</c>
/// A fourth argument, <c>listening</c>, runs the calls while listeners record TinyRpc's spans and histograms (what
/// tracing costs); without it nobody listens, and the calls take the path of an application without telemetry.
/// </summary>
internal static class AllocationCensus
{
    private const int Warmup = 20_000;
    private const int Calls = 200_000;

    public static int Run(string[] args)
    {
        if (args.Length is not (3 or 4) || (args.Length == 4 && args[3] != "listening"))
        {
            Console.Error.WriteLine("usage: --allocations serverpath|msgpackserverpath|inmemory|tcp|websocket|http|zeromq|msgpack-inmemory|msgpack-tcp <benchmark method> reverse_string|add [listening]");
            return 2;
        }

        using TelemetryListeners? listening = args.Length == 4 ? new TelemetryListeners() : null;

        (Func<Task> call, int perCall, Action cleanup) = Scenario(args[0], args[1], args[2]);
        for (int i = 0; i < Warmup / perCall; i++)
        {
            call().GetAwaiter().GetResult();
        }

        using var listener = new AllocationTickListener();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long workItemsBefore = ThreadPool.CompletedWorkItemCount;
        int invocations = Calls / perCall;
        for (int i = 0; i < invocations; i++)
        {
            call().GetAwaiter().GetResult();
        }

        long bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        long workItems = ThreadPool.CompletedWorkItemCount - workItemsBefore;
        cleanup();

        double perOperation = bytes / (double)(invocations * perCall);
        int samples = listener.Types.Values.Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{string.Join(' ', args)}: {perOperation:F0} B per call ({samples} samples)"));

        // Each is a hand-off to a pool thread (the calling loop's own continuations included).
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"thread-pool work items per call: {workItems / (double)(invocations * perCall):F2}"));
        Console.WriteLine();
        Console.WriteLine("| type | samples | ~B per call |");
        Console.WriteLine("|---|---:|---:|");
        foreach ((string type, int count) in listener.Types.OrderByDescending(static t => t.Value).ThenBy(static t => t.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `{type}` | {count} | {perOperation * count / samples:F0} |"));
        }

        return 0;
    }

    /// <summary>
    /// Runs one contender's call back to back for a set time with nobody listening, for a sampling profiler outside
    /// the process (<c>benchmarks/profile.sh</c> runs it under <c>perf</c>):
    /// <c>--profile inmemory TinyRpc64 reverse_string [seconds]</c>, the same scenarios and methods as the census.
    /// </summary>
    public static int RunForProfile(string[] args)
    {
        if (args.Length is not (3 or 4) || (args.Length == 4 && !int.TryParse(args[3], CultureInfo.InvariantCulture, out _)))
        {
            Console.Error.WriteLine("usage: --profile <scenario> <benchmark method> reverse_string|add [seconds, 10]");
            return 2;
        }

        TimeSpan length = TimeSpan.FromSeconds(args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10);
        (Func<Task> call, int perCall, Action cleanup) = Scenario(args[0], args[1], args[2]);
        for (int i = 0; i < Warmup / perCall; i++)
        {
            call().GetAwaiter().GetResult();
        }

        Console.WriteLine("warmed up; measuring");
        long workItemsBefore = ThreadPool.CompletedWorkItemCount;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long invocations = 0;
        while (clock.Elapsed < length)
        {
            for (int i = 0; i < 100; i++)
            {
                call().GetAwaiter().GetResult();
            }

            invocations += 100;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        long workItems = ThreadPool.CompletedWorkItemCount - workItemsBefore;
        cleanup();
        long calls = invocations * perCall;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{string.Join(' ', args[..3])}: {calls / seconds:F0} calls/s, {seconds * 1e9 / calls:F0} ns per call, {workItems / (double)calls:F2} thread-pool work items per call"));
        return 0;
    }

    private static (Func<Task> Call, int PerCall, Action Cleanup) Scenario(string scenario, string method, string rpc)
    {
        if (scenario == "serverpath")
        {
            var server = new ServerPathBenchmarks { Call = rpc };
            server.Setup();
            Func<Task> call = method switch
            {
                nameof(ServerPathBenchmarks.TinyRpc) => () => { server.TinyRpc(); return Task.CompletedTask; },
                nameof(ServerPathBenchmarks.HandWritten) => () => { server.HandWritten(); return Task.CompletedTask; },
                nameof(ServerPathBenchmarks.Reflection) => () => { server.Reflection(); return Task.CompletedTask; },
                _ => throw new ArgumentException($"No server-path benchmark {method}."),
            };
            return (call, 1, static () => { });
        }

        if (scenario == "http")
        {
            var http = new HttpLoopbackBenchmarks { Call = rpc };
            http.Setup();
            (Func<Task> exchange, int count) = method switch
            {
                nameof(HttpLoopbackBenchmarks.TinyRpc) => (new Func<Task>(http.TinyRpc), 1),
                nameof(HttpLoopbackBenchmarks.RawEcho) => (http.RawEcho, 1),
                nameof(HttpLoopbackBenchmarks.TinyRpc64) => (http.TinyRpc64, RoundTripBenchmarks.Outstanding),
                nameof(HttpLoopbackBenchmarks.RawEcho64) => (http.RawEcho64, RoundTripBenchmarks.Outstanding),
                _ => throw new ArgumentException($"No HTTP benchmark {method}."),
            };
            return (exchange, count, http.Cleanup);
        }

        if (scenario == "zeromq")
        {
            var zmq = new ZeroMqLoopbackBenchmarks { Call = rpc };
            zmq.Setup();
            (Func<Task> exchange, int count) = method switch
            {
                nameof(ZeroMqLoopbackBenchmarks.TinyRpc) => (new Func<Task>(zmq.TinyRpc), 1),
                nameof(ZeroMqLoopbackBenchmarks.RawEcho) => (zmq.RawEcho, 1),
                nameof(ZeroMqLoopbackBenchmarks.TinyRpcReq) => (zmq.TinyRpcReq, 1),
                nameof(ZeroMqLoopbackBenchmarks.RawEchoReq) => (zmq.RawEchoReq, 1),
                nameof(ZeroMqLoopbackBenchmarks.TinyRpc64) => (zmq.TinyRpc64, RoundTripBenchmarks.Outstanding),
                nameof(ZeroMqLoopbackBenchmarks.RawEcho64) => (zmq.RawEcho64, RoundTripBenchmarks.Outstanding),
                _ => throw new ArgumentException($"No ZeroMQ benchmark {method}."),
            };
            return (exchange, count, zmq.Cleanup);
        }

        if (scenario == "msgpackserverpath")
        {
            var server = new MessagePackServerPathBenchmarks { Call = rpc };
            server.Setup();
            Func<Task> call = method switch
            {
                nameof(MessagePackServerPathBenchmarks.TinyRpc) => () => { server.TinyRpc(); return Task.CompletedTask; },
                nameof(MessagePackServerPathBenchmarks.HandWritten) => () => { server.HandWritten(); return Task.CompletedTask; },
                _ => throw new ArgumentException($"No MSGPACK-RPC server-path benchmark {method}."),
            };
            return (call, 1, static () => { });
        }

        RoundTripBenchmarks roundTrips = scenario switch
        {
            "inmemory" => new InMemoryBenchmarks { Call = rpc },
            "tcp" => new LoopbackBenchmarks { Call = rpc, Transport = "tcp" },
            "websocket" => new LoopbackBenchmarks { Call = rpc, Transport = "websocket" },
            "msgpack-inmemory" => new MessagePackRoundTripBenchmarks { Call = rpc, Transport = "inmemory" },
            "msgpack-tcp" => new MessagePackRoundTripBenchmarks { Call = rpc, Transport = "tcp" },
            _ => throw new ArgumentException($"No scenario {scenario}."),
        };
        roundTrips.Setup();
        (Func<Task> one, int perCall) = method switch
        {
            nameof(RoundTripBenchmarks.TinyRpc) => (new Func<Task>(roundTrips.TinyRpc), 1),
            nameof(RoundTripBenchmarks.StreamJsonRpc) => (roundTrips.StreamJsonRpc, 1),
            nameof(RoundTripBenchmarks.RawEcho) => (roundTrips.RawEcho, 1),
            nameof(RoundTripBenchmarks.TinyRpc64) => (roundTrips.TinyRpc64, RoundTripBenchmarks.Outstanding),
            nameof(RoundTripBenchmarks.StreamJsonRpc64) => (roundTrips.StreamJsonRpc64, RoundTripBenchmarks.Outstanding),
            nameof(RoundTripBenchmarks.RawEcho64) => (roundTrips.RawEcho64, RoundTripBenchmarks.Outstanding),
            _ => throw new ArgumentException($"No round-trip benchmark {method}."),
        };
        return (one, perCall, roundTrips.Cleanup);
    }

    private sealed class AllocationTickListener : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;

        public ConcurrentDictionary<string, int> Types { get; } = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null)
            {
                return;
            }

            int index = eventData.PayloadNames.IndexOf("TypeName");
            string type = index >= 0 ? eventData.Payload?[index]?.ToString() ?? "?" : "?";
            Types.AddOrUpdate(type, 1, static (_, count) => count + 1);
        }
    }
}

/// <summary>Records every TinyRpc span and histogram measurement, as an OpenTelemetry SDK would subscribe, and drops them.</summary>
internal sealed class TelemetryListeners : IDisposable
{
    private readonly System.Diagnostics.ActivityListener _spans = new()
    {
        ShouldListenTo = static source => source.Name == RpcTelemetry.ActivitySourceName,
        Sample = static (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
    };

    private readonly System.Diagnostics.Metrics.MeterListener _metrics = new()
    {
        InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == RpcTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        },
    };

    public TelemetryListeners()
    {
        System.Diagnostics.ActivitySource.AddActivityListener(_spans);
        _metrics.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _metrics.Start();
    }

    public void Dispose()
    {
        _spans.Dispose();
        _metrics.Dispose();
    }
}

