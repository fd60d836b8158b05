using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TinyRpc.Benchmarks;

/// <summary>
/// <c>--tables</c>: every table of docs/benchmarks.md in one run, measured the interleaved way. In each case the floor
/// and the contenders run in short alternating slices (the order turning each round), so that load from elsewhere on
/// a shared machine falls on all of them alike; a contender's ratio is the median of its per-round ratios to the
/// floor of the same round, with the quartiles beside it. Writes results.json, results.csv and results.md (the tables
/// as markdown) to the output directory; benchmarks/charts.py draws the charts from results.json.
/// </summary>
internal static partial class Tables
{
    /// <summary>Outstanding calls on one connection for the scaling curves.</summary>
    private static readonly int[] ScalingOutstanding = [1, 4, 16, 64, 256];

    /// <summary>reverse_string argument sizes for the message-size curves: 100 B, 10 KB and 1 MB.</summary>
    private static readonly int[] Sizes = [100, 10 * 1024, 1024 * 1024];

    private static readonly string[] Calls = [Payloads.ReverseString, Payloads.Add];

    /// <summary>The transports of the MSGPACK-RPC and message-size tables (and of StreamJsonRpc's binary path).</summary>
    private static readonly string[] StreamTransports = ["inmemory", "tcp"];

    private static readonly string[] TableNames = ["serverpath", "roundtrip", "msgpack", "size", "coldstart"];

    public static int Run(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: --tables [--quick] [--out DIR] [--rounds N] [--slice-ms MS] [--starts N] [--only "
                + string.Join(",", TableNames) + "] [--transports " + string.Join(",", RoundTripSetup.Transports) + "] [--commit SHA]");
            return 2;
        }

        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(Options options)
    {
        Directory.CreateDirectory(options.Out);
        var results = new Results
        {
            Quick = options.Quick,
            Rounds = options.Rounds,
            SliceMilliseconds = options.SliceMilliseconds,
            Commit = options.Commit,
            Date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            Machine = $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}",
        };

        if (options.Wants("serverpath"))
        {
            await ServerPathAsync(options, results.Rows);
        }

        if (options.Wants("roundtrip"))
        {
            foreach (string transport in RoundTripSetup.Transports.Where(options.WantsTransport))
            {
                foreach (string call in Calls)
                {
                    int[] outstanding = transport switch
                    {
                        "zmq-req" => [1],
                        "inmemory" or "tcp" when call == Payloads.ReverseString => ScalingOutstanding,
                        _ => [1, RoundTripBenchmarks.Outstanding],
                    };
                    await RoundTripAsync(options, results.Rows, "roundtrip", transport, call, null, false, outstanding);
                }
            }
        }

        if (options.Wants("msgpack"))
        {
            foreach (string transport in StreamTransports.Where(options.WantsTransport))
            {
                foreach (string call in Calls)
                {
                    await RoundTripAsync(options, results.Rows, "msgpack", transport, call, null, true, [1, RoundTripBenchmarks.Outstanding]);
                }
            }
        }

        if (options.Wants("size"))
        {
            foreach (string transport in StreamTransports.Where(options.WantsTransport))
            {
                foreach (int size in Sizes)
                {
                    await RoundTripAsync(options, results.Rows, "size", transport, Payloads.ReverseString, size, false, [1]);
                }
            }
        }

        if (options.Wants("coldstart"))
        {
            results.ColdStart.AddRange(ColdStart(options));
        }

        string json = JsonSerializer.Serialize(results, JsonOptions);
        await File.WriteAllTextAsync(Path.Combine(options.Out, "results.json"), json);
        await File.WriteAllTextAsync(Path.Combine(options.Out, "results.csv"), Csv(results));
        string markdown = Markdown(results);
        await File.WriteAllTextAsync(Path.Combine(options.Out, "results.md"), markdown);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"Written: {Path.Combine(options.Out, "results.json")}, results.csv, results.md");
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static async Task ServerPathAsync(Options options, List<Row> rows)
    {
        foreach (string call in Calls)
        {
            var json = new ServerPathBenchmarks { Call = call };
            json.Setup();
            await MeasureAsync(options, rows, new Row { Table = "serverpath", Transport = "JSON-RPC", Call = call, Outstanding = 1 },
            [
                new("HandWritten", k => Loop(k, json.HandWritten), 1),
                new("TinyRpc", k => Loop(k, json.TinyRpc), 1),
                new("Reflection", k => Loop(k, json.Reflection), 1),
            ]);

            var messagePack = new MessagePackServerPathBenchmarks { Call = call };
            messagePack.Setup();
            await MeasureAsync(options, rows, new Row { Table = "serverpath", Transport = "MSGPACK-RPC", Call = call, Outstanding = 1 },
            [
                new("HandWritten", k => Loop(k, messagePack.HandWritten), 1),
                new("TinyRpc", k => Loop(k, messagePack.TinyRpc), 1),
            ]);
        }
    }

    private static Task Loop<T>(int count, Func<T> call)
    {
        for (int i = 0; i < count; i++)
        {
            _ = call();
        }

        return Task.CompletedTask;
    }

    private static async Task RoundTripAsync(Options options, List<Row> rows, string table, string transport, string call, int? size,
        bool messagePack, int[] outstanding)
    {
        string? text = size is { } n ? Payloads.TextOfSize(n) : null;
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {table} {transport} {call}{(size is null ? "" : $" {size} B")}");
        await using RoundTripSetup setup = await RoundTripSetup.CreateAsync(transport, call, text, messagePack);
        if (transport == "http")
        {
            // The pools open their connections before anything is timed.
            await Task.WhenAll(setup.Floor.CallManyAsync(RoundTripSetup.HttpConnections), setup.TinyRpc.CallManyAsync(RoundTripSetup.HttpConnections));
        }

        foreach (int count in outstanding)
        {
            List<Contender> contenders =
            [
                new("Floor", k => Many(setup.Floor, k, count), count),
                new("TinyRpc", k => Many(setup.TinyRpc, k, count), count),
            ];
            if (setup.StreamJsonRpc is { } streamJsonRpc)
            {
                contenders.Add(new("StreamJsonRpc", k => Many(streamJsonRpc, k, count), count));
            }

            var row = new Row
            {
                Table = table,
                Transport = transport,
                Call = call,
                Size = call == Payloads.ReverseString ? size ?? Payloads.Text.Length : 0,
                Outstanding = count,
            };
            await MeasureAsync(options, rows, row, contenders);
        }
    }

    private static async Task Many(IContender contender, int invocations, int outstanding)
    {
        for (int i = 0; i < invocations; i++)
        {
            await contender.CallManyAsync(outstanding).ConfigureAwait(false);
        }
    }

    /// <summary>One contender: <see cref="Run"/> makes k invocations of <see cref="Calls"/> calls each.</summary>
    private sealed record Contender(string Name, Func<int, Task> Run, int Calls);

    private static async Task MeasureAsync(Options options, List<Row> rows, Row template, IReadOnlyList<Contender> contenders)
    {
        // Warm up, then size each contender's slice to about the slice time from its own speed.
        double sliceNs = options.SliceMilliseconds * 1e6;
        var perSlice = new int[contenders.Count];
        for (int c = 0; c < contenders.Count; c++)
        {
            long warmUntil = Stopwatch.GetTimestamp() + (long)(options.WarmupMilliseconds * Stopwatch.Frequency / 1000);
            double best = double.MaxValue;
            int invocations = 0;
            while (invocations < 3 || Stopwatch.GetTimestamp() < warmUntil)
            {
                long start = Stopwatch.GetTimestamp();
                await contenders[c].Run(1);
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds);
                invocations++;
            }

            perSlice[c] = (int)Math.Clamp(Math.Ceiling(sliceNs / best), 1, 10_000_000);
        }

        int rounds = options.Rounds;
        var ns = new double[contenders.Count][];
        var bytes = new double[contenders.Count][];
        for (int c = 0; c < contenders.Count; c++)
        {
            ns[c] = new double[rounds];
            bytes[c] = new double[rounds];
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int turn = 0; turn < contenders.Count; turn++)
            {
                int c = (round + turn) % contenders.Count;
                long allocated = GC.GetTotalAllocatedBytes(precise: true);
                long start = Stopwatch.GetTimestamp();
                await contenders[c].Run(perSlice[c]);
                double elapsed = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
                double calls = (double)perSlice[c] * contenders[c].Calls;
                bytes[c][round] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / calls;
                ns[c][round] = elapsed / calls;
            }
        }

        for (int c = 0; c < contenders.Count; c++)
        {
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++)
            {
                ratios[round] = ns[c][round] / ns[0][round];
            }

            double median = Quantile(ns[c], 0.5);
            Row row = template with
            {
                Contender = contenders[c].Name,
                NsPerCall = median,
                CallsPerSecond = 1e9 / median,
                Ratio = Quantile(ratios, 0.5),
                RatioLow = Quantile(ratios, 0.25),
                RatioHigh = Quantile(ratios, 0.75),
                BytesPerCall = Quantile(bytes[c], 0.5),
                Rounds = rounds,
            };
            rows.Add(row);
            Console.Error.WriteLine($"    {row.Transport,-12} {row.Call,-15} x{row.Outstanding,-4} {row.Contender,-14} {Time(row.NsPerCall),12} {row.Ratio,6:0.00} ({row.RatioLow:0.00}-{row.RatioHigh:0.00}) {row.BytesPerCall,8:0} B");
        }
    }

    private static double Quantile(double[] values, double q)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        double at = q * (sorted.Length - 1);
        int low = (int)Math.Floor(at);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (at - low));
    }

    // Cold start: each program started in turn, starts alternating, the median of each kept.
    private static List<ColdStartRow> ColdStart(Options options)
    {
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] coldstart");
        string root = FindRepositoryRoot();
        string handRolled = Path.Combine(root, "benchmarks", "ColdStart", "HandRolledColdStart", "bin", "Release", "net10.0", "HandRolledColdStart.dll");
        string tinyRpc = Path.Combine(root, "benchmarks", "ColdStart", "TinyRpcColdStart", "bin", "Release", "net10.0", "TinyRpcColdStart.dll");
        string aotJit = Path.Combine(root, "samples", "AotSample", "bin", "Release", "net10.0", "AotSample.dll");
        string aotNative = Path.Combine(root, ColdStartBenchmarks.AotSamplePath);
        var programs = new List<(ColdStartRow Row, string File, string? Argument)>();
        foreach ((string name, string runtime, string path) in new[]
        {
            ("HandRolledColdStart", "JIT", handRolled),
            ("TinyRpcColdStart", "JIT", tinyRpc),
            ("AotSample", "JIT", aotJit),
            ("AotSample", "NativeAOT", aotNative),
        })
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"    {path} is missing: {name} ({runtime}) left out.");
                continue;
            }

            bool native = runtime == "NativeAOT";
            var row = new ColdStartRow
            {
                Program = name,
                Runtime = runtime,
                Path = Path.GetRelativePath(root, path),

                // NativeAOT: the one file that is the program; JIT: the app's own assemblies (the shared runtime not counted).
                SizeBytes = native
                    ? new FileInfo(path).Length
                    : Directory.EnumerateFiles(Path.GetDirectoryName(path)!, "*.dll").Sum(static f => new FileInfo(f).Length),
            };
            programs.Add((row, native ? path : "dotnet", native ? null : path));
        }

        var firstReply = programs.Select(_ => new List<double>()).ToArray();
        var exit = programs.Select(_ => new List<double>()).ToArray();
        for (int start = 0; start < options.Starts + 1; start++)
        {
            for (int p = 0; p < programs.Count; p++)
            {
                (double replied, double exited) = StartOnce(programs[p].File, programs[p].Argument);
                if (start > 0) // the first start of each warms the disk cache
                {
                    firstReply[p].Add(replied);
                    exit[p].Add(exited);
                }
            }
        }

        var rows = new List<ColdStartRow>();
        for (int p = 0; p < programs.Count; p++)
        {
            ColdStartRow row = programs[p].Row with
            {
                FirstReplyMilliseconds = Quantile([.. firstReply[p]], 0.5),
                ExitMilliseconds = Quantile([.. exit[p]], 0.5),
                Starts = options.Starts,
            };
            rows.Add(row);
            Console.Error.WriteLine($"    {row.Program,-20} {row.Runtime,-9} {row.SizeBytes / 1024.0 / 1024.0,6:0.0} MB  first reply {row.FirstReplyMilliseconds,5:0} ms  exit {row.ExitMilliseconds,5:0} ms");
        }

        return rows;
    }

    [GeneratedRegex(@"^replied\s+(\d+) ms", RegexOptions.Multiline)]
    private static partial Regex RepliedPhase();

    [GeneratedRegex(@"first reply (\d+) ms after process start")]
    private static partial Regex AotFirstReply();

    // Starts the program once; returns when its first reply came (as the program itself reports it, from its
    // process start) and when it exited (from Process.Start).
    private static (double Replied, double Exited) StartOnce(string file, string? argument)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["COLDSTART_PHASES"] = "1";
        if (argument is not null)
        {
            info.ArgumentList.Add(argument);
        }

        long started = Stopwatch.GetTimestamp();
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
            throw new TimeoutException($"{file} {argument} did not exit within 60 s and was killed.");
        }

        double exited = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!Task.WhenAll(output, error).Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"The output of {file} {argument} was not closed after it exited.");
        }

        Match replied = RepliedPhase().Match(error.Result);
        if (!replied.Success)
        {
            replied = AotFirstReply().Match(output.Result);
        }

        if (process.ExitCode != 0 || !replied.Success)
        {
            throw new InvalidOperationException($"{file} {argument} exited with {process.ExitCode}: {output.Result.Trim()} {error.Result.Trim()}");
        }

        return (double.Parse(replied.Groups[1].Value, CultureInfo.InvariantCulture), exited);
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TinyRpc.Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No TinyRpc.Generators.sln above {AppContext.BaseDirectory}.");
    }

    private static string Time(double ns) => ns switch
    {
        < 1e4 => $"{ns:N0} ns",
        < 1e7 => $"{ns / 1e3:N1} µs",
        _ => $"{ns / 1e6:N2} ms",
    };

    private static string Bytes(long bytes) => bytes < 1024 * 1024 ? $"{bytes / 1024.0:N0} KB" : $"{bytes / 1024.0 / 1024.0:N1} MB";

    private static string SizeLabel(int size) => size switch
    {
        >= 1024 * 1024 => $"{size / (1024 * 1024)} MB",
        >= 1024 => $"{size / 1024} KB",
        _ => $"{size} B",
    };

    private static string Csv(Results results)
    {
        var csv = new StringBuilder("table,transport,call,size,outstanding,contender,ns_per_call,calls_per_second,ratio,ratio_q1,ratio_q3,bytes_per_call,rounds\n");
        foreach (Row r in results.Rows)
        {
            csv.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Table},{r.Transport},{r.Call},{r.Size},{r.Outstanding},{r.Contender},{r.NsPerCall:0.#},{r.CallsPerSecond:0},{r.Ratio:0.###},{r.RatioLow:0.###},{r.RatioHigh:0.###},{r.BytesPerCall:0},{r.Rounds}");
        }

        return csv.ToString();
    }

    private static string Markdown(Results results)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {results.Date}{(results.Commit is null ? "" : $" at {results.Commit}")} on {results.Machine}; "
            + $"{results.Rounds} rounds of {results.SliceMilliseconds} ms slices{(results.Quick ? " (--quick: a smoke test, not figures to quote)" : "")}.");
        string Ratio(Row r) => r.Contender is "Floor" or "HandWritten" ? "1.00" : $"{r.Ratio:0.00} ({r.RatioLow:0.00}-{r.RatioHigh:0.00})";

        if (results.Rows.Any(static r => r.Table == "serverpath"))
        {
            md.AppendLine().AppendLine("Server path (request bytes → response bytes, one thread):").AppendLine();
            md.AppendLine("| protocol | call | contender | time per call | ratio to floor (quartiles) | allocated per call |");
            md.AppendLine("|---|---|---|---:|---:|---:|");
            foreach (Row r in results.Rows.Where(static r => r.Table == "serverpath"))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Transport} | {r.Call} | {r.Contender} | {Time(r.NsPerCall)} | {Ratio(r)} | {r.BytesPerCall:N0} B |");
            }
        }

        foreach ((string table, string title) in new[] { ("roundtrip", "Round trips, JSON-RPC"), ("msgpack", "Round trips, MSGPACK-RPC") })
        {
            if (!results.Rows.Any(r => r.Table == table))
            {
                continue;
            }

            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{title} (outstanding: calls in flight on the one connection; times per call):").AppendLine();
            md.AppendLine("| transport | call | outstanding | contender | time per call | calls/s | ratio to floor (quartiles) | allocated per call |");
            md.AppendLine("|---|---|---:|---|---:|---:|---:|---:|");
            foreach (Row r in results.Rows.Where(r => r.Table == table))
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Transport} | {r.Call} | {r.Outstanding} | {r.Contender} | {Time(r.NsPerCall)} | {r.CallsPerSecond:N0} | {Ratio(r)} | {r.BytesPerCall:N0} B |");
            }
        }

        if (results.Rows.Any(static r => r.Table == "size"))
        {
            md.AppendLine().AppendLine("Message size (reverse_string with an argument of that many bytes, one call at a time):").AppendLine();
            md.AppendLine("| transport | argument | contender | time per call | ratio to floor (quartiles) | allocated per call |");
            md.AppendLine("|---|---:|---|---:|---:|---:|");
            foreach (Row r in results.Rows.Where(static r => r.Table == "size"))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Transport} | {SizeLabel(r.Size)} | {r.Contender} | {Time(r.NsPerCall)} | {Ratio(r)} | {r.BytesPerCall:N0} B |");
            }
        }

        if (results.ColdStart.Count > 0)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Cold start (medians of {results.ColdStart[0].Starts} starts each, alternating):").AppendLine();
            md.AppendLine("| program | runtime | size on disk | first reply, from process start | exit, from Process.Start |");
            md.AppendLine("|---|---|---:|---:|---:|");
            foreach (ColdStartRow r in results.ColdStart)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Program} | {r.Runtime} | {Bytes(r.SizeBytes)} | {r.FirstReplyMilliseconds:0} ms | {r.ExitMilliseconds:0} ms |");
            }
        }

        return md.ToString();
    }

    private sealed class Options
    {
        public bool Quick { get; private set; }

        public string Out { get; private set; } = Path.Combine("artifacts", "benchmarks");

        public int Rounds { get; private set; } = 101;

        public double SliceMilliseconds { get; private set; } = 10;

        public double WarmupMilliseconds { get; private set; } = 1000;

        public int Starts { get; private set; } = 15;

        public string? Commit { get; private set; }

        private HashSet<string> Only { get; } = new(StringComparer.Ordinal);

        private HashSet<string> OnlyTransports { get; } = new(StringComparer.Ordinal);

        public bool Wants(string table) => Only.Count == 0 || Only.Contains(table);

        public bool WantsTransport(string transport) => OnlyTransports.Count == 0 || OnlyTransports.Contains(transport);

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--quick":
                        options.Quick = true;
                        options.Rounds = 5;
                        options.SliceMilliseconds = 2;
                        options.WarmupMilliseconds = 100;
                        options.Starts = 3;
                        break;
                    case "--out":
                        options.Out = Value();
                        break;
                    case "--rounds":
                        options.Rounds = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--slice-ms":
                        options.SliceMilliseconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--starts":
                        options.Starts = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--commit":
                        options.Commit = Value();
                        break;
                    case "--only":
                        foreach (string table in Value().Split(','))
                        {
                            options.Only.Add(TableNames.Contains(table) ? table : throw new ArgumentException($"No table {table}."));
                        }

                        break;
                    case "--transports":
                        foreach (string transport in Value().Split(','))
                        {
                            options.OnlyTransports.Add(RoundTripSetup.Transports.Contains(transport) ? transport : throw new ArgumentException($"No transport {transport}."));
                        }

                        break;
                    default:
                        throw new ArgumentException($"Unknown option {args[i]}.");
                }
            }

            return options.Rounds > 0 && options.SliceMilliseconds > 0 && options.Starts > 0
                ? options
                : throw new ArgumentException("--rounds, --slice-ms and --starts must be positive.");
        }
    }

    private sealed class Results
    {
        public bool Quick { get; init; }

        public int Rounds { get; init; }

        public double SliceMilliseconds { get; init; }

        public string? Commit { get; init; }

        public string Date { get; init; } = "";

        public string Machine { get; init; } = "";

        public List<Row> Rows { get; } = [];

        public List<ColdStartRow> ColdStart { get; } = [];
    }

    /// <summary>One contender in one case. <see cref="Size"/>: reverse_string's argument in bytes (0 for add).</summary>
    private sealed record Row
    {
        public string Table { get; init; } = "";

        public string Transport { get; init; } = "";

        public string Call { get; init; } = "";

        public int Size { get; init; }

        public int Outstanding { get; init; }

        public string Contender { get; init; } = "";

        public double NsPerCall { get; init; }

        public double CallsPerSecond { get; init; }

        public double Ratio { get; init; }

        public double RatioLow { get; init; }

        public double RatioHigh { get; init; }

        public double BytesPerCall { get; init; }

        public int Rounds { get; init; }
    }

    private sealed record ColdStartRow
    {
        public string Program { get; init; } = "";

        public string Runtime { get; init; } = "";

        public string Path { get; init; } = "";

        public long SizeBytes { get; init; }

        public double FirstReplyMilliseconds { get; init; }

        public double ExitMilliseconds { get; init; }

        public int Starts { get; init; }
    }
}
