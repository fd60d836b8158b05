using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// Three server processes on one queue, 3,000 calls, and one server killed (SIGKILL) once a third of the replies
/// have come: every call gets its own answer or fails clearly, no caller gets two answers, and the requests the
/// killed process had taken run again on the survivors (at least once execution).
/// </summary>
public sealed class ServerProcessKillDrillTests
{
    private const int Calls = 3000;

    [Fact]
    public async Task One_of_three_server_processes_killed_mid_traffic_loses_no_call_silently_and_answers_none_twice()
    {
        string queue = TestService.NewQueueName("killdrill");
        string helper = typeof(ServerProcessKillDrillTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "TestServerPath").Value!;
        string logs = Directory.CreateTempSubdirectory("tinyrpc-killdrill-").FullName;
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
                info.ArgumentList.Add("8");
                info.ArgumentList.Add(Path.Combine(logs, $"ran-{i}.log"));
                servers.Add(Process.Start(info) ?? throw new InvalidOperationException("The test server did not start."));
            }

            foreach (Process server in servers)
            {
                Assert.Equal("ready", await ReadLineAsync(server));
            }

            await using var transport = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
            transport.Timeout = TimeSpan.FromSeconds(30);
            var client = new RpcClient(new JsonRpcProtocol(), transport);
            int replies = 0;
            var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<int>[] calls = Enumerable.Range(0, Calls).Select(async i =>
            {
                try
                {
                    return await client.CallAsync<int>("echo", i);
                }
                finally
                {
                    if (Interlocked.Increment(ref replies) == Calls / 3)
                    {
                        third.TrySetResult();
                    }
                }
            }).ToArray();

            await third.Task.WaitAsync(TestService.Limit);
            servers[0].Kill(entireProcessTree: true);
            await servers[0].WaitForExitAsync().WaitAsync(TestService.Limit);
            try
            {
                await Task.WhenAll(calls).WaitAsync(TestService.Limit);
            }
            catch (Exception e) when (e is RpcTransportException or TimeoutException)
            {
                // Counted below, call by call.
            }

            int answered = 0, failed = 0;
            var wrong = new List<string>();
            for (int i = 0; i < Calls; i++)
            {
                try
                {
                    int result = await calls[i];
                    answered++;
                    if (result != i)
                    {
                        wrong.Add($"call {i} got {result}");
                    }
                }
                catch (Exception e) when (e is RpcTransportException or TimeoutException)
                {
                    failed++;
                }
                catch (Exception e)
                {
                    wrong.Add($"call {i}: {e}");
                }
            }

            var survivorsRan = new List<int>();
            for (int i = 1; i < servers.Count; i++)
            {
                servers[i].StandardInput.Close();
                Assert.Equal("handled", await ReadLineAsync(servers[i]));
                while (await ReadLineAsync(servers[i]) is var line && line != "end")
                {
                    survivorsRan.Add(int.Parse(line, CultureInfo.InvariantCulture));
                }
            }

            int[] killedRan = (await File.ReadAllLinesAsync(Path.Combine(logs, "ran-0.log")))
                .Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
            int ranTwice = killedRan.Intersect(survivorsRan).Count() + (survivorsRan.Count - survivorsRan.Distinct().Count());
            string numbers = $"{Calls} calls: {answered} answered, {failed} failed with an error, {wrong.Count} wrong; the killed server ran " +
                $"{killedRan.Length}, the survivors {survivorsRan.Count}; {ranTwice} ran twice; the client dropped {transport.DiscardedReplies} replies.";
            TestContext.Current.TestOutputHelper?.WriteLine(numbers);
            Assert.True(wrong.Count == 0, numbers + "\n" + string.Join("\n", wrong.Take(10)));
            Assert.True(answered + failed == Calls, numbers);

            // Nothing answered was lost: every answered call ran somewhere, and the survivors ran everything the
            // killed server never got to answer, so with a 30 s timeout every call is answered.
            Assert.True(answered == Calls, numbers);
            Assert.True(killedRan.Length > 0 && survivorsRan.Count > 0, numbers);
            Assert.Equal(Enumerable.Range(0, Calls), killedRan.Concat(survivorsRan).Distinct().Order());
            Assert.Equal(0, transport.PendingCalls);

            // Only what the killed server had taken and not acknowledged (at most its prefetch, 8) runs again; the
            // survivors, which lost no connection, run nothing twice; and a second run's reply never reaches a caller.
            Assert.True(survivorsRan.Count == survivorsRan.Distinct().Count(), numbers);
            Assert.True(ranTwice <= 8, numbers);
            Assert.True(transport.DiscardedReplies <= ranTwice, numbers);
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

            Directory.Delete(logs, recursive: true);
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

        return line ?? throw new InvalidOperationException("The test server ended early: " +
            await server.StandardError.ReadToEndAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
