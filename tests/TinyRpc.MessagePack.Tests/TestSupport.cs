using System.Diagnostics;
using System.Text;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;

namespace TinyRpc.MessagePack.Tests;

internal static class Hex
{
    /// <summary>Bytes from hex with optional spaces: <c>"94 00 01"</c>.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Of(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);
}

internal static class TestProtocols
{
    /// <summary>A protocol that knows <see cref="Point"/> through the test's resolver.</summary>
    public static MessagePackRpcProtocol WithResolver() => new(TestResolver.Options);
}

/// <summary>Runs <c>msgpack_peer.py</c> with Debian's Python (python3-msgpack) as a child process.</summary>
internal sealed class PythonPeer : IDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private PythonPeer(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "msgpack_peer.py"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public static PythonPeer Start(params string[] arguments) => new(arguments);

    /// <summary>Runs a command that reads <paramref name="input"/> lines and returns its output lines.</summary>
    public static async Task<string[]> RunAsync(IEnumerable<string> input, params string[] arguments)
    {
        using var peer = new PythonPeer(arguments);
        foreach (string line in input)
        {
            await peer._process.StandardInput.WriteLineAsync(line);
        }

        peer._process.StandardInput.Close();
        return await peer.ReadToEndAsync();
    }

    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(Limit);
        string? line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        return line ?? throw new InvalidOperationException("The Python peer ended early: " + Errors);
    }

    /// <summary>Reads all output until the process exits, and checks that it succeeded.</summary>
    public async Task<string[]> ReadToEndAsync()
    {
        using var timeout = new CancellationTokenSource(Limit);
        string output = await _process.StandardOutput.ReadToEndAsync(timeout.Token);
        await _process.WaitForExitAsync(timeout.Token);
        Assert.True(_process.ExitCode == 0, "The Python peer failed: " + Errors);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}

internal static class CatalogAssert
{
    /// <summary>The calls every <see cref="ICatalog"/> server answers alike, whatever its protocol or language.</summary>
    /// <param name="proxy">The client side.</param>
    /// <param name="entry">The entry sent with the one-way <c>record</c>.</param>
    /// <param name="recorded">
    /// Completes once the server has handled the notification. A notification has no reply, and a server that
    /// handles messages concurrently may run a later call first: the caller says how to know it has run.
    /// </param>
    public static async Task CommonCallsAsync(ICatalog proxy, string entry, Func<Task> recorded)
    {
        Assert.Equal("!dlroW ,olleH", await proxy.ReverseStringAsync("Hello, World!"));
        Assert.Equal(5, await proxy.AddAsync(2, 3));
        await proxy.RecordAsync(entry);
        await recorded().WaitAsync(TimeSpan.FromSeconds(30));
        await proxy.NothingAsync();
        Assert.Equal([entry], await proxy.RecordedAsync());

        // tinyrpc's custom error: code and message arrive as the server declared them.
        RpcException palindrome = await Assert.ThrowsAnyAsync<RpcException>(() => proxy.ReverseStringAsync("rotator"));
        Assert.Equal(99, palindrome.Code);
        Assert.Equal("Ah, that's cheating!", palindrome.Message);
    }
}
