using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using TinyRpc.AspNetCore;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Benchmarks;

/// <summary>
/// <c>--soak &lt;minutes&gt; [transports]</c>: mixed traffic over every transport in one process for a fixed time,
/// sampling the GC heap after a full collection, the working set, open handles, threads, calls, errors and
/// per-transport latency. Passes when the heap and the handles of the last window are flat against the first
/// window after warm-up, and no call failed. Every loop ends at the deadline; all traffic stays on 127.0.0.1.
/// </summary>
public static class Soak
{
    private const int ClientsPerTransport = 4;
    private const int CallsPerConnection = 200;
    private const double HeapSlackFraction = 0.10;
    private const long HeapSlackBytes = 2L << 20;
    private const int HandleSlack = 20;

    private static readonly string[] AllTransports = ["inmemory", "tcp", "pipe", "websocket", "http", "zmq-req", "zmq-dealer", "rabbitmq"];

    public static int Run(string[] args)
    {
        if (args.Length < 1 || !double.TryParse(args[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double minutes) || minutes <= 0 || minutes > 24 * 60)
        {
            Console.Error.WriteLine("usage: --soak <minutes> [transport,transport,...]   transports: " + string.Join(',', AllTransports));
            return 2;
        }

        string[] chosen = args.Length > 1 ? args[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : AllTransports;
        string[] unknown = chosen.Except(AllTransports).ToArray();
        if (unknown.Length > 0)
        {
            Console.Error.WriteLine($"unknown transport(s): {string.Join(',', unknown)}; known: {string.Join(',', AllTransports)}");
            return 2;
        }

        return RunAsync(TimeSpan.FromMinutes(minutes), chosen).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(TimeSpan duration, string[] chosen)
    {
        // A 10-minute run samples every 10 s, warms up for 1 minute and compares 1-minute windows; shorter runs scale down.
        TimeSpan window = TimeSpan.FromSeconds(Math.Min(60, duration.TotalSeconds / 4));
        TimeSpan interval = TimeSpan.FromSeconds(Math.Min(10, window.TotalSeconds / 3));
        TimeSpan warmUp = window;

        await using var servers = new Servers();
        var targets = new List<Target>();
        foreach (string name in chosen)
        {
            Target? target = await servers.StartAsync(name);
            if (target is not null)
            {
                targets.Add(target);
            }
        }

        if (targets.Count == 0)
        {
            Console.Error.WriteLine("soak: no transport to run");
            return 2;
        }

        Console.WriteLine($"soak: {duration.TotalMinutes:0.##} min, {ClientsPerTransport} clients per transport, a new connection every {CallsPerConnection} calls, "
            + $"samples every {interval.TotalSeconds:0.#} s, warm-up {warmUp.TotalSeconds:0} s, windows of {window.TotalSeconds:0} s");
        Console.WriteLine($"transports: {string.Join(", ", targets.Select(static t => t.Name))}; {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");

        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);
        Task[] clients = targets.SelectMany(t => Enumerable.Range(0, ClientsPerTransport).Select(i => Task.Run(() => ClientLoopAsync(t, i, stop.Token)))).ToArray();

        var samples = new List<Sample>();
        Console.WriteLine();
        Console.WriteLine("    t(s)  heap MB     ws MB  handles  threads       calls  errors   per transport p50/p99/max ms");
        samples.Add(TakeSample(TimeSpan.Zero, targets, inFirst: false, inLast: false));
        while (clock.Elapsed < duration)
        {
            TimeSpan next = interval * samples.Count;
            TimeSpan wait = (next < duration ? next : duration) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            TimeSpan at = clock.Elapsed;
            bool inFirst = at > warmUp && at <= warmUp + window + interval / 2;
            bool inLast = at >= duration - window - interval / 2;
            Sample sample = TakeSample(at, targets, inFirst, inLast);
            samples.Add(sample);
            Print(sample, targets);
        }

        await stop.CancelAsync();
        // A client loop still running a minute after the deadline is reported, not awaited.
        await Task.WhenAny(Task.WhenAll(clients), Task.Delay(TimeSpan.FromSeconds(60)));

        int stuck = clients.Count(static c => !c.IsCompleted);
        return Report(samples, targets, warmUp, window, interval, duration, stuck);
    }

    // One client: connects, makes CallsPerConnection mixed calls, disconnects, again until the deadline.
    private static async Task ClientLoopAsync(Target target, int client, CancellationToken stop)
    {
        long sequence = client * 7;
        while (!stop.IsCancellationRequested)
        {
            RpcClient rpc;
            try
            {
                rpc = await target.ConnectAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                target.Failed(e);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                continue;
            }

            try
            {
                IBenchService proxy = rpc.GetProxy<IBenchService>();
                for (int i = 0; i < CallsPerConnection && !stop.IsCancellationRequested; i++)
                {
                    long started = Stopwatch.GetTimestamp();
                    try
                    {
                        await OneCallAsync(rpc, proxy, sequence++);
                        target.Completed(Stopwatch.GetElapsedTime(started));
                    }
                    catch (Exception e)
                    {
                        target.Failed(e);
                    }
                }
            }
            finally
            {
                try
                {
                    await rpc.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
                }
                catch (Exception e)
                {
                    target.Failed(e);
                }
            }
        }
    }

    // The mix, out of 20 calls: 15 reverse_string/add, 2 notifications, 1 call answered with an error, 2 batches.
    private static async Task OneCallAsync(RpcClient rpc, IBenchService proxy, long sequence)
    {
        switch (sequence % 20)
        {
            case 3 or 13:
                await rpc.NotifyAsync(Payloads.Add, [1, 2]);
                break;
            case 7:
                try
                {
                    await rpc.CallAsync<int>("no_such_method", 1);
                    throw new InvalidOperationException("no_such_method was answered with a result.");
                }
                catch (RpcException e) when (e.Code == RpcErrorCodes.MethodNotFound)
                {
                    // The expected error reply.
                }

                break;
            case 11 or 17:
                RpcResponse[] replies = await rpc.BatchCallAsync([new RpcCall(Payloads.Add, [20, 22]), new RpcCall(Payloads.ReverseString, ["abc"])]);
                if (replies.Length != 2 || replies.Any(static r => r is RpcErrorResponse))
                {
                    throw new InvalidOperationException("A batch came back with an error.");
                }

                break;
            default:
                if (sequence % 2 == 0)
                {
                    Check.Equal(BenchService.Reverse(Payloads.Text), await proxy.ReverseStringAsync(Payloads.Text), "reverse_string");
                }
                else
                {
                    Check.Equal(Payloads.A + Payloads.B, await proxy.AddAsync(Payloads.A, Payloads.B), "add");
                }

                break;
        }
    }

    private static Sample TakeSample(TimeSpan at, List<Target> targets, bool inFirst, bool inLast)
    {
        var perTransport = targets.ToDictionary(static t => t.Name, t => t.TakeInterval(inFirst, inLast));
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using Process self = Process.GetCurrentProcess();
        int handles = OperatingSystem.IsLinux() ? Directory.GetFiles("/proc/self/fd").Length : self.HandleCount;
        return new Sample(at, heap, self.WorkingSet64, handles, self.Threads.Count,
            targets.Sum(static t => t.Calls), targets.Sum(static t => t.Errors), perTransport);
    }

    private static void Print(Sample s, List<Target> targets)
    {
        string latency = string.Join("  ", targets.Select(t => s.Latency[t.Name] is { Count: > 0 } l
            ? $"{t.Name} {l.P50:0.00}/{l.P99:0.00}/{l.Max:0}"
            : $"{t.Name} -"));
        Console.WriteLine($"{s.At.TotalSeconds,8:0} {Mb(s.Heap),8:0.0} {Mb(s.WorkingSet),9:0.0} {s.Handles,8} {s.Threads,8} {s.Calls,11} {s.Errors,7}   {latency}");
    }

    private static int Report(List<Sample> samples, List<Target> targets, TimeSpan warmUp, TimeSpan window, TimeSpan interval, TimeSpan duration, int stuck)
    {
        Sample[] first = samples.Where(s => s.At > warmUp && s.At <= warmUp + window + interval / 2).ToArray();
        Sample[] last = samples.Where(s => s.At >= duration - window - interval / 2).ToArray();
        if (first.Length == 0 || last.Length == 0)
        {
            Console.WriteLine("FAIL: too few samples to compare (run longer).");
            return 1;
        }

        // The heap is compared by each window's lowest sample: traffic keeps running while a sample is taken, so
        // some samples also hold whatever was in flight (buffers, queued messages, pooled arrays); a leak raises
        // every sample, the lowest included.
        double heapFirst = first.Min(static s => (double)s.Heap);
        double heapLast = last.Min(static s => (double)s.Heap);
        double handlesFirst = Median(first.Select(static s => (double)s.Handles));
        double handlesLast = Median(last.Select(static s => (double)s.Handles));
        double heapAllowed = heapFirst + Math.Max(heapFirst * HeapSlackFraction, HeapSlackBytes);
        bool heapFlat = heapLast <= heapAllowed;
        bool handlesFlat = handlesLast <= handlesFirst + HandleSlack;
        long errors = targets.Sum(static t => t.Errors);

        Console.WriteLine();
        Console.WriteLine($"first window: {first[0].At.TotalSeconds:0}-{first[^1].At.TotalSeconds:0} s ({first.Length} samples); "
            + $"last window: {last[0].At.TotalSeconds:0}-{last[^1].At.TotalSeconds:0} s ({last.Length} samples); medians of the samples unless said");
        Console.WriteLine("| metric | first window | last window |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| GC heap after full GC, lowest (MB) | {Mb(heapFirst):0.0} | {Mb(heapLast):0.0} |");
        Console.WriteLine($"| GC heap after full GC, median (MB) | {Mb(Median(first.Select(static s => (double)s.Heap))):0.0} | {Mb(Median(last.Select(static s => (double)s.Heap))):0.0} |");
        Console.WriteLine($"| working set (MB) | {Mb(Median(first.Select(static s => (double)s.WorkingSet))):0.0} | {Mb(Median(last.Select(static s => (double)s.WorkingSet))):0.0} |");
        Console.WriteLine($"| open handles (fds) | {handlesFirst:0} | {handlesLast:0} |");
        Console.WriteLine($"| threads | {Median(first.Select(static s => (double)s.Threads)):0} | {Median(last.Select(static s => (double)s.Threads)):0} |");
        Console.WriteLine($"| calls per second | {Rate(first, samples):0} | {Rate(last, samples):0} |");
        Console.WriteLine();
        Console.WriteLine("| transport | calls | errors | p50 ms first | p50 ms last | p99 ms first | p99 ms last | max ms last |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Target t in targets)
        {
            Latency a = t.FirstWindow.Percentiles();
            Latency b = t.LastWindow.Percentiles();
            Console.WriteLine($"| {t.Name} | {t.Calls} | {t.Errors} | {Ms(a, a.P50)} | {Ms(b, b.P50)} | {Ms(a, a.P99)} | {Ms(b, b.P99)} | {Ms(b, b.Max)} |");
        }

        foreach (Target t in targets.Where(static t => t.FirstError is not null))
        {
            Console.WriteLine($"{t.Name}: first error: {t.FirstError}");
        }

        Console.WriteLine();
        Console.WriteLine($"heap (lowest sample): last {Mb(heapLast):0.0} MB vs allowed {Mb(heapAllowed):0.0} MB (first + max(10 %, 2 MB)) -> {(heapFlat ? "flat" : "GREW")}");
        Console.WriteLine($"handles: last {handlesLast:0} vs allowed {handlesFirst + HandleSlack:0} (first + {HandleSlack}) -> {(handlesFlat ? "flat" : "GREW")}");
        Console.WriteLine($"failed calls: {errors}; client loops still running a minute after the deadline: {stuck}");
        bool pass = heapFlat && handlesFlat && errors == 0 && stuck == 0;
        Console.WriteLine(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    private static double Rate(Sample[] window, List<Sample> all)
    {
        Sample before = all[Math.Max(0, all.IndexOf(window[0]) - 1)];
        Sample end = window[^1];
        double seconds = (end.At - before.At).TotalSeconds;
        return seconds > 0 ? (end.Calls - before.Calls) / seconds : 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Ms(Latency latency, double ms) => latency.Count == 0 ? "-" : ms.ToString("0.00", CultureInfo.InvariantCulture);

    private static double Mb(double bytes) => bytes / (1024 * 1024);

    private sealed record Sample(TimeSpan At, long Heap, long WorkingSet, int Handles, int Threads, long Calls, long Errors, Dictionary<string, Latency> Latency);

    /// <summary>Latency percentiles in milliseconds.</summary>
    private sealed record Latency(long Count, double P50, double P99, double Max);

    /// <summary>
    /// Latencies counted in logarithmic buckets 2 % wide from 1 µs to about a minute: a fixed size however many
    /// calls are made, so that keeping them does not itself grow the heap the soak watches.
    /// </summary>
    private sealed class Histogram
    {
        private const double Growth = 1.02;
        private static readonly double LogGrowth = Math.Log(Growth);
        private readonly long[] _buckets = new long[960];
        private double _maxMs;

        public void Add(double ms)
        {
            double micros = Math.Max(1, ms * 1000);
            int index = Math.Min(_buckets.Length - 1, (int)(Math.Log(micros) / LogGrowth));
            Interlocked.Increment(ref _buckets[index]);
            double seen;
            while (ms > (seen = Volatile.Read(ref _maxMs)) && Interlocked.CompareExchange(ref _maxMs, ms, seen) != seen)
            {
            }
        }

        public void AddTo(Histogram total)
        {
            for (int i = 0; i < _buckets.Length; i++)
            {
                total._buckets[i] += _buckets[i];
            }

            total._maxMs = Math.Max(total._maxMs, _maxMs);
        }

        public void Clear()
        {
            Array.Clear(_buckets);
            _maxMs = 0;
        }

        public Latency Percentiles()
        {
            long count = _buckets.Sum();
            return count == 0 ? new Latency(0, 0, 0, 0) : new Latency(count, At(count, 0.50), At(count, 0.99), _maxMs);
        }

        // The upper edge of the bucket that holds the quantile: at most 2 % above the true value.
        private double At(long count, double quantile)
        {
            long rank = (long)Math.Ceiling(quantile * count);
            long seen = 0;
            for (int i = 0; i < _buckets.Length; i++)
            {
                seen += _buckets[i];
                if (seen >= rank)
                {
                    return Math.Pow(Growth, i + 1) / 1000;
                }
            }

            return _maxMs;
        }
    }

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private static RpcClient Client(IClientTransport transport) => new(new JsonRpcProtocol(), transport) { Timeout = CallTimeout };

    private static RpcClient Client(IMessageChannel channel) => new(new JsonRpcProtocol(), channel) { Timeout = CallTimeout };

    /// <summary>A transport under soak: how to open a client connection, and what its clients have done.</summary>
    private sealed class Target(string name, Func<CancellationToken, Task<RpcClient>> connect)
    {
        private readonly Lock _gate = new();
        private Histogram _current = new();
        private Histogram _spare = new();
        private long _calls;
        private long _errors;

        public string Name { get; } = name;

        public long Calls => Interlocked.Read(ref _calls);

        public long Errors => Interlocked.Read(ref _errors);

        public string? FirstError { get; private set; }

        public Histogram FirstWindow { get; } = new();

        public Histogram LastWindow { get; } = new();

        public Task<RpcClient> ConnectAsync(CancellationToken stop) => connect(stop);

        public void Completed(TimeSpan elapsed)
        {
            Interlocked.Increment(ref _calls);
            Volatile.Read(ref _current).Add(elapsed.TotalMilliseconds);
        }

        public void Failed(Exception e)
        {
            Interlocked.Increment(ref _errors);
            lock (_gate)
            {
                FirstError ??= $"{e.GetType().Name}: {e.Message}";
            }
        }

        // Swaps the interval's histogram for the cleared spare, so that recording never takes a lock. A call that
        // read the old one just before the swap and adds to it after it was summed is left out of the figures.
        public Latency TakeInterval(bool inFirst, bool inLast)
        {
            Histogram spare = _spare;
            spare.Clear();
            Histogram taken = Interlocked.Exchange(ref _current, spare);
            _spare = taken;
            if (inFirst)
            {
                taken.AddTo(FirstWindow);
            }

            if (inLast)
            {
                taken.AddTo(LastWindow);
            }

            return taken.Percentiles();
        }
    }

    /// <summary>The servers, one per transport (ZeroMQ's REQ and DEALER clients share one ROUTER), all on 127.0.0.1.</summary>
    private sealed class Servers : IAsyncDisposable
    {
        private readonly RpcDispatcher _dispatcher = new();
        private readonly JsonRpcProtocol _protocol = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _serving = [];
        private readonly List<object> _owned = [];
        private WebApplication? _web;
        private string? _zmqEndpoint;

        public Servers() => _dispatcher.RegisterInstance(new BenchService());

        public async Task<Target?> StartAsync(string name)
        {
            switch (name)
            {
                case "inmemory":
                    // An in-memory "connection" is a fresh pair with a server of its own, stopped when the client goes.
                    return new Target(name, stop =>
                    {
                        (InMemoryClientTransport client, InMemoryServerTransport server) = InMemoryTransport.CreatePair();
                        _ = ServeInMemoryAsync(server);
                        return Task.FromResult(Client(client));
                    });
                case "tcp":
                    TcpServerTransport tcp = Serve(TcpServerTransport.Loopback());
                    int port = tcp.LocalEndPoint.Port;
                    return new Target(name, async stop => Client(await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, cancellationToken: stop)));
                case "pipe":
                    string pipe = $"tinyrpc-soak-{Environment.ProcessId}";
                    Serve(new NamedPipeServerTransport(pipe));
                    return new Target(name, async stop => Client(await StreamClientTransport.ConnectNamedPipeAsync(pipe, cancellationToken: stop)));
                case "websocket":
                    var root = new Uri((await WebAsync()).Replace("http://", "ws://", StringComparison.Ordinal) + "/ws");
                    return new Target(name, async stop => Client(await WebSocketClientTransport.ConnectAsync(root, cancellationToken: stop)));
                case "http":
                    var http = new Uri(await WebAsync() + "/http");
                    // A client of its own per connection, so each reconnect opens a new TCP connection to Kestrel.
                    return new Target(name, _ => Task.FromResult(Client(new HttpPostClientTransport(
                        new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) }, http, ownsClient: true))));
                case "zmq-req":
                    string req = Zmq();
                    return new Target(name, _ => Task.FromResult(Client(ZmqClientTransport.Create(req))));
                case "zmq-dealer":
                    string dealer = Zmq();
                    return new Target(name, _ => Task.FromResult(Client(ZmqDealerClientTransport.Create(dealer))));
                case "rabbitmq":
                    if (!await BrokerReachableAsync())
                    {
                        Console.WriteLine("rabbitmq: no broker on 127.0.0.1:5672, skipped");
                        return null;
                    }

                    string queue = $"tinyrpc-soak-{Environment.ProcessId}";
                    Serve(await RabbitMQServerTransport.CreateAsync("127.0.0.1", queue));
                    return new Target(name, async stop => Client(await RabbitMQClientTransport.CreateAsync("127.0.0.1", queue, cancellationToken: stop)));
                default:
                    throw new ArgumentOutOfRangeException(nameof(name), name, "Not a soak transport.");
            }
        }

        private async Task ServeInMemoryAsync(InMemoryServerTransport server)
        {
            try
            {
                await new RpcServer(server, _protocol, _dispatcher).ServeForeverAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                server.Dispose();
            }
        }

        private T Serve<T>(T transport)
            where T : IServerTransport
        {
            _owned.Add(transport);
            _serving.Add(new RpcServer(transport, _protocol, _dispatcher).ServeForeverAsync(_stop.Token));
            return transport;
        }

        private string Zmq()
        {
            _zmqEndpoint ??= Serve(ZmqServerTransport.Create("tcp://127.0.0.1:*")).Endpoint!;
            return _zmqEndpoint;
        }

        // One Kestrel for WebSocket (/ws, through an RpcServer) and HTTP POST (/http, MapTinyRpc).
        private async Task<string> WebAsync()
        {
            if (_web is null)
            {
                WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                _web = builder.Build();
                _web.UseWebSockets();
                var ws = new WebSocketServerTransport();
                _web.MapTinyRpcWebSocket(ws, "/ws", answerRoot: false);
                _web.MapTinyRpc("/http", _dispatcher, _protocol);
                _serving.Add(new RpcServer(ws, _protocol, _dispatcher).ServeForeverAsync(_stop.Token));
                await _web.StartAsync();
            }

            return _web.Urls.First();
        }

        private static async Task<bool> BrokerReachableAsync()
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await socket.ConnectAsync("127.0.0.1", 5672, timeout.Token);
                return true;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await Task.WhenAll(_serving).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                Console.WriteLine($"servers: stop took too long ({e.GetType().Name})");
            }

            foreach (object owned in _owned)
            {
                if (owned is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync();
                }
                else if (owned is IDisposable disposable)
                {
                    disposable.Dispose();
                }
            }

            if (_web is not null)
            {
                await _web.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
                await _web.DisposeAsync();
            }

            _stop.Dispose();
        }
    }
}
