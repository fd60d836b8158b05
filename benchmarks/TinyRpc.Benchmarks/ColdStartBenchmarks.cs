using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 4: cold start, from process start to exit after the first reply. Each benchmark starts a program as a child
/// process, waits for it to exit and checks what it printed: the TinyRpc quickstart-sized program
/// (benchmarks/ColdStart/TinyRpcColdStart) against the same program hand-rolled with Utf8JsonReader/Utf8JsonWriter
/// over a socket (benchmarks/ColdStart/HandRolledColdStart), both run as <c>dotnet &lt;dll&gt;</c>; and, for
/// reference, the published NativeAOT sample at artifacts/aot/AotSample when it is there. No memory diagnoser: the
/// bytes that matter are allocated in the child processes, which it cannot see.
/// </summary>
public class ColdStartBenchmarks
{
    /// <summary>Where CI publishes the NativeAOT sample (see .ci/run), relative to the repository root.</summary>
    public const string AotSamplePath = "artifacts/aot/AotSample";

    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    private string _tinyRpc = "";
    private string _handRolled = "";
    private string _aot = "";

    [GlobalSetup]
    public void Setup()
    {
        string root = FindRepositoryRoot();
        _tinyRpc = Built(root, "TinyRpcColdStart");
        _handRolled = Built(root, "HandRolledColdStart");
        _aot = Path.Combine(root, AotSamplePath);

        // Each must give the right answer before it is timed.
        HandRolled();
        TinyRpc();
        if (File.Exists(_aot))
        {
            NativeAotSample();
        }
    }

    [GlobalSetup(Target = nameof(NativeAotSample))]
    public void SetupAot()
    {
        Setup();
        if (!File.Exists(_aot))
        {
            throw new FileNotFoundException(
                $"No NativeAOT sample at {_aot}: publish it first with `dotnet publish samples/AotSample/AotSample.csproj -c Release -r linux-x64 -o artifacts/aot`.");
        }
    }

    /// <summary>The baseline: JSON-RPC by hand, <c>dotnet HandRolledColdStart.dll</c>.</summary>
    [Benchmark(Baseline = true)]
    public void HandRolled() => Run("dotnet", _handRolled, "Server answered: !dlroW ,olleH");

    /// <summary>TinyRpc: <c>dotnet TinyRpcColdStart.dll</c>.</summary>
    [Benchmark]
    public void TinyRpc() => Run("dotnet", _tinyRpc, "Server answered: !dlroW ,olleH");

    /// <summary>The NativeAOT sample: two protocols, five calls each, over TCP on 127.0.0.1.</summary>
    [Benchmark]
    public void NativeAotSample() => Run(_aot, null, "AOT sample: every call returned the right answer");

    // Starts the program, waits at most ChildTimeout for it to exit (killing it otherwise) and checks its output.
    private static void Run(string fileName, string? argument, string expected)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (argument is not null)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(ChildTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
            throw new TimeoutException($"{fileName} {argument} did not exit within {ChildTimeout.TotalSeconds} s and was killed.");
        }

        if (!Task.WhenAll(output, error).Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"The output of {fileName} {argument} was not closed after it exited.");
        }

        if (process.ExitCode != 0 || !output.Result.Contains(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"{fileName} {argument} exited with {process.ExitCode}, printing \"{output.Result.Trim()}\" {error.Result.Trim()}; expected \"{expected}\".");
        }
    }

    private static string Built(string root, string project)
    {
        string path = Path.Combine(root, "benchmarks", "ColdStart", project, "bin", "Release", "net10.0", project + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build benchmarks/TinyRpc.Benchmarks (which builds it) with -c Release.");
    }

    // BenchmarkDotNet runs this from a directory under the project's bin; the repository root is above it.
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
}
