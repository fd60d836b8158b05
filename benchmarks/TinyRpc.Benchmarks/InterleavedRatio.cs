using System.Diagnostics;

namespace TinyRpc.Benchmarks;

/// <summary>
/// A rough check of the server path's ratio on a busy machine: the floor and TinyRpc run in short alternating
/// slices, so that load from elsewhere falls on both alike, and the median of the per-slice ratios is printed.
/// Not a substitute for the BenchmarkDotNet run; a way to see whether a change moved the ratio.
/// </summary>
internal static class InterleavedRatio
{
    public static int Run(string[] args)
    {
        string call = args.Length > 0 ? args[0] : Payloads.ReverseString;
        var benchmarks = new ServerPathBenchmarks { Call = call };
        benchmarks.Setup();
        const int Slice = 2_000;
        const int Rounds = 601;
        var ratios = new double[Rounds];
        var floor = new double[Rounds];
        var tinyRpc = new double[Rounds];
        for (int round = -50; round < Rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Slice; i++)
            {
                benchmarks.HandWritten();
            }

            long middle = Stopwatch.GetTimestamp();
            for (int i = 0; i < Slice; i++)
            {
                benchmarks.TinyRpc();
            }

            long end = Stopwatch.GetTimestamp();
            if (round >= 0)
            {
                floor[round] = Stopwatch.GetElapsedTime(start, middle).TotalNanoseconds / Slice;
                tinyRpc[round] = Stopwatch.GetElapsedTime(middle, end).TotalNanoseconds / Slice;
                ratios[round] = tinyRpc[round] / floor[round];
            }
        }

        Array.Sort(ratios);
        Array.Sort(floor);
        Array.Sort(tinyRpc);
        Console.WriteLine($"{call}: floor {floor[Rounds / 2]:0} ns, TinyRpc {tinyRpc[Rounds / 2]:0} ns, median ratio {ratios[Rounds / 2]:0.00} (quartiles {ratios[Rounds / 4]:0.00}-{ratios[3 * Rounds / 4]:0.00})");
        return 0;
    }
}
