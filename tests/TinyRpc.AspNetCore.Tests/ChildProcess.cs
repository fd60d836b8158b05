using System.Diagnostics;
using System.Reflection;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>Runs programs the tests need (the demo server, lighttpd, Python) with bounded waits.</summary>
internal static class ChildProcess
{
    /// <summary>The demo server's assembly, built through the test project's ProjectReference.</summary>
    public static string DemoServerPath
    {
        get
        {
            string path = Path.GetFullPath(typeof(ChildProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "DemoServerPath").Value!);
            return File.Exists(path) ? path : throw new InvalidOperationException($"The demo server was not built: {path} is missing. Build the solution first.");
        }
    }

    /// <summary>The dotnet host running the tests, to start framework-dependent programs with.</summary>
    public static string DotnetPath
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }

            if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                return self;
            }

            return FindOnPath("dotnet") ?? throw new InvalidOperationException("Cannot find the dotnet host (DOTNET_HOST_PATH or dotnet on PATH).");
        }
    }

    public static string? FindOnPath(string name, params string[] extraDirectories)
    {
        IEnumerable<string> directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(extraDirectories);
        foreach (string directory in directories)
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr);

    /// <summary>Runs a program to its end with <paramref name="stdin"/> as its input; killed after <paramref name="timeout"/>.</summary>
    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, byte[] stdin, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string key, string? value) in environment)
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {fileName}.");
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            var stdout = new MemoryStream();
            Task copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, limit.Token);
            Task<string> readErr = process.StandardError.ReadToEndAsync(limit.Token);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin, limit.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program answered without reading all of its input (a refused request): that is allowed.
            }

            await process.WaitForExitAsync(limit.Token);
            await copyOut;
            return new Result(process.ExitCode, stdout.ToArray(), await readErr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout.TotalSeconds} s.");
        }
    }
}
