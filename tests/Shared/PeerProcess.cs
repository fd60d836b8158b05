using System.Diagnostics;

namespace TinyRpc.Tests;

/// <summary>
/// A peer in a process of its own, with bounded waits: a Python script from the test project's python folder run
/// by Debian's interpreter, or a .NET program of the solution.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private const string Interpreter = "/usr/bin/python3";
    private readonly Process _process;
    private readonly List<string> _stderr = [];
    private bool _disposed;

    private PeerProcess(Process process) => _process = process;

    public static PeerProcess StartPython(string script, params string[] args)
    {
        Assert.True(File.Exists(Interpreter), $"{Interpreter} is not installed (Debian's python3 and the python3-* packages of .ci/run are needed).");
        return Start(Interpreter, ["-u", Path.Combine(AppContext.BaseDirectory, "python", script), .. args]);
    }

    /// <summary>Runs a .NET program of the solution (its built assembly) with <c>dotnet</c>.</summary>
    public static PeerProcess StartDotnet(string assemblyPath, params string[] args)
    {
        Assert.True(File.Exists(assemblyPath), $"{assemblyPath} was not built.");
        return Start("dotnet", [assemblyPath, .. args]);
    }

    private static PeerProcess Start(string fileName, string[] args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException(fileName + " did not start.");
        var peer = new PeerProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._stderr)
                {
                    peer._stderr.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return peer;
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>Reads the next line the script prints, failing with its error output if it ends first.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TestService.Limit);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The peer printed nothing in time. Its error output:\n" + StandardError);
        }

        return line ?? throw new InvalidOperationException("The peer ended early. Its error output:\n" + await WaitErrorAsync());
    }

    /// <summary>Waits for the script to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TestService.Limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The peer did not end in time. Its error output:\n" + StandardError);
        }

        return _process.ExitCode;
    }

    private async Task<string> WaitErrorAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return StandardError;
    }

    /// <summary>Kills the process (SIGKILL on Linux) with its children and waits for it; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _process.Dispose();
    }
}
