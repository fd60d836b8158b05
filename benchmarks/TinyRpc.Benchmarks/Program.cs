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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
