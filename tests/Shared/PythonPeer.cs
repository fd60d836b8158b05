using System.Diagnostics;

namespace TinyRpc.Tests;

/// <summary>A Python script from the test project's python folder, run by Debian's interpreter, with bounded waits.</summary>
internal sealed class PythonPeer : IAsyncDisposable
{
    private const string Interpreter = "/usr/bin/python3";
    private readonly Process _process;
    private readonly List<string> _stderr = [];

    private PythonPeer(Process process) => _process = process;

    public static PythonPeer Start(string script, params string[] args)
    {
        Assert.SkipUnless(File.Exists(Interpreter), $"{Interpreter} is not installed (Debian's python3 and the python3-* packages of .ci/run are needed).");
        var info = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", script));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start.");
        var peer = new PythonPeer(process);
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
            throw new TimeoutException("The Python peer printed nothing in time. Its error output:\n" + StandardError);
        }

        return line ?? throw new InvalidOperationException("The Python peer ended early. Its error output:\n" + await WaitErrorAsync());
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
            throw new TimeoutException("The Python peer did not end in time. Its error output:\n" + StandardError);
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

    public async ValueTask DisposeAsync()
    {
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
