using System.Diagnostics;
using System.Reflection;
using TinyRpc.Client;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.Hosting.Tests;

/// <summary>AddStdioServer in a real process: samples/HostedServer --stdio, its standard input and output as the connection.</summary>
public sealed class StdioServerTests
{
    private static readonly string SamplePath = typeof(StdioServerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "HostedServerPath").Value!;

    [Fact]
    public async Task A_stdio_server_answers_and_the_host_stops_when_standard_input_ends()
    {
        Assert.True(File.Exists(SamplePath), SamplePath + " was not built.");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(SamplePath);
        info.ArgumentList.Add("--stdio");
        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            var channel = new StreamClientTransport(new FramedConnection(process.StandardOutput.BaseStream, process.StandardInput.BaseStream));
            await using var client = new RpcClient(new JsonRpcProtocol(), channel);

            string greeting = await client.CallAsync<string>("greet", "stdio").WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.StartsWith("Hello, stdio", greeting);

            process.StandardInput.Close(); // standard input ends: the server stops and asks the host to stop
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(exited.Token);
            Assert.True(process.ExitCode == 0, "exit code " + process.ExitCode + ": " + await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
