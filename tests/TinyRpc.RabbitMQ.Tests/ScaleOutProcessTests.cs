using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

public sealed class ScaleOutProcessTests
{
    [Fact]
    public async Task Three_server_processes_on_one_queue_share_the_load_and_answer_each_call_once()
    {
        const int Calls = 3000;
        string queue = TestService.NewQueueName("processes");
        string helper = typeof(ScaleOutProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "TestServerPath").Value!;
        Assert.True(File.Exists(helper), "The test server was not built: " + helper);
        var servers = new List<Process>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var info = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                info.ArgumentList.Add(helper);
                info.ArgumentList.Add(queue);
                Process server = Process.Start(info) ?? throw new InvalidOperationException("The test server did not start.");
                servers.Add(server);
            }

            foreach (Process server in servers)
            {
                Assert.Equal("ready", await ReadLineAsync(server));
            }

            await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
            transport.Timeout = TestService.Limit;
            var client = new RpcClient(new JsonRpcProtocol(), transport);
            int[] results = await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => client.CallAsync<int>("echo", i)));
            Assert.Equal(Enumerable.Range(0, Calls), results);

            var handled = new List<int>[servers.Count];
            for (int i = 0; i < servers.Count; i++)
            {
                servers[i].StandardInput.Close();
                Assert.Equal("handled", await ReadLineAsync(servers[i]));
                handled[i] = [];
                for (string line = await ReadLineAsync(servers[i]); line != "end"; line = await ReadLineAsync(servers[i]))
                {
                    handled[i].Add(int.Parse(line, CultureInfo.InvariantCulture));
                }
            }

            // Exactly once across the processes, and each did a real part of the work.
            Assert.Equal(Enumerable.Range(0, Calls), handled.SelectMany(h => h).Order());
            Assert.All(handled, h => Assert.True(h.Count >= Calls / 20, $"A server process handled only {h.Count} of {Calls} calls."));
        }
        finally
        {
            foreach (Process server in servers)
            {
                if (!server.HasExited)
                {
                    server.Kill(entireProcessTree: true);
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await server.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                }

                server.Dispose();
            }

            await Admin.DeleteQueueAsync(queue);
        }
    }

    private static async Task<string> ReadLineAsync(Process server)
    {
        using var timeout = new CancellationTokenSource(TestService.Limit);
        string? line;
        try
        {
            line = await server.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The test server printed nothing in time.");
        }

        if (line is null)
        {
            string error = await server.StandardError.ReadToEndAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            throw new InvalidOperationException("The test server ended early: " + error);
        }

        return line;
    }
}
