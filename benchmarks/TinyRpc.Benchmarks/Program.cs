using BenchmarkDotNet.Running;

namespace TinyRpc.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["--allocations", .. var rest])
        {
            return AllocationCensus.Run(rest);
        }

        if (args is ["--profile", .. var profiled])
        {
            return AllocationCensus.RunForProfile(profiled);
        }

        if (args is ["--interleaved", .. var calls])
        {
            return InterleavedRatio.Run(calls);
        }

        if (args is ["--tables", .. var tables])
        {
            return Tables.Run(tables);
        }

        if (args is ["--soak", .. var soak])
        {
            return Soak.Run(soak);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
