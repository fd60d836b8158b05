using System.Diagnostics;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>
/// A server started as a child process that prints one line starting with a known prefix once it listens
/// (the address or port follows the prefix). Killed with its children on dispose.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ServerProcess(Process process, Task<string> stderr, string ready)
    {
        _process = process;
        _stderr = stderr;
        Ready = ready;
    }

    /// <summary>What followed the prefix on the ready line.</summary>
    public string Ready { get; }

    public static async Task<ServerProcess> StartAsync(string fileName, IEnumerable<string> arguments, string readyPrefix)
    {
        var start = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {fileName}.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(StartupLimit);
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync(limit.Token);
            if (line is null || !line.StartsWith(readyPrefix, StringComparison.Ordinal))
            {
                await process.WaitForExitAsync(limit.Token);
                throw new InvalidOperationException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} did not start: {line} {await stderr}");
            }

            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            return new ServerProcess(process, stderr, line[readyPrefix.Length..].Trim());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new TimeoutException($"{Path.GetFileName(fileName)} did not report that it listens within {StartupLimit.TotalSeconds} s.");
        }
    }

    /// <summary>Ends the process and returns what it wrote to standard error.</summary>
    public async Task<string> StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(limit.Token);
        return await _stderr.WaitAsync(limit.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
