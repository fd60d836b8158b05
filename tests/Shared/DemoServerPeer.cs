using System.Reflection;

namespace TinyRpc.Tests;

/// <summary>samples/DemoServer started as a child process; <see cref="Endpoint"/> is where it says it listens.</summary>
internal sealed class DemoServerPeer : IAsyncDisposable
{
    private const string ReadyPrefix = "Listening on ";

    private DemoServerPeer(PeerProcess process, string endpoint)
    {
        Process = process;
        Endpoint = endpoint;
    }

    public PeerProcess Process { get; }

    public string Endpoint { get; }

    public static async Task<DemoServerPeer> StartAsync(params string[] args)
    {
        string path = typeof(DemoServerPeer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "DemoServerPath").Value!;
        PeerProcess process = PeerProcess.StartDotnet(path, args);
        string line = await process.ReadLineAsync();
        if (!line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
        {
            await process.DisposeAsync();
            throw new InvalidOperationException("The demo server did not start: " + line);
        }

        return new DemoServerPeer(process, line[ReadyPrefix.Length..].Trim());
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
