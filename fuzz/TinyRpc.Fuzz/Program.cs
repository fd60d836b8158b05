using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpFuzz;
using TinyRpc.Fuzz;

// Instrumented code records branches in SharpFuzz's trace memory, which exists only once Fuzzer.Run has set it up
// under afl-fuzz. Until then (module initializers, a check run) it writes into a scratch area of the same size.
unsafe
{
    SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(1 << 16);
}

return Run(args);

[MethodImpl(MethodImplOptions.NoInlining)]
static int Run(string[] args)
{
    // run <target>: the AFL++ harness (in-process, persistent: one process runs many inputs).
    // check <target|all> <file or folder>...: runs inputs in process without AFL, for seeds and regressions.
    if (args.Length >= 2 && args[0] == "run" && Targets.Find(args[1]) is { } target)
    {
        Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    if (args.Length >= 3 && args[0] == "check")
    {
        Target[] chosen = args[1] == "all" ? Targets.All : Targets.Find(args[1]) is { } one ? [one] : [];
        if (chosen.Length == 0)
        {
            return Usage($"Unknown target '{args[1]}'.");
        }

        int inputs = 0;
        int failures = 0;
        foreach (string path in args.Skip(2).SelectMany(Files))
        {
            byte[] input = File.ReadAllBytes(path);
            foreach (Target each in chosen)
            {
                inputs++;
                try
                {
                    each.Run(input);
                }
                catch (Exception e)
                {
                    failures++;
                    Console.Error.WriteLine($"{each.Name} {path}: {e}");
                }
            }
        }

        Console.WriteLine($"{inputs} runs, {failures} failed");
        return failures == 0 && inputs > 0 ? 0 : 1;
    }

    return Usage(null);
}

static IEnumerable<string> Files(string path)
    => Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [path];

static int Usage(string? problem)
{
    if (problem is not null)
    {
        Console.Error.WriteLine(problem);
    }

    Console.Error.WriteLine("Usage: TinyRpc.Fuzz run <target> | check <target|all> <file or folder>...");
    Console.Error.WriteLine("Targets: " + string.Join(", ", Targets.All.Select(t => t.Name)));
    return 2;
}
