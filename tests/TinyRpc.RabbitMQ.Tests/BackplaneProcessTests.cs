using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Threading.Channels;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// Two server processes on one backplane, each with duplex TCP clients of its own, on a RabbitMQ node of the test's
/// own (restarting the shared broker would break the tests running alongside).
/// </summary>
public sealed class BackplaneProcessTests
{
    [Fact]
    public async Task A_broadcast_from_either_process_reaches_the_clients_of_both_also_after_the_broker_restarts()
    {
        await using DedicatedRabbitMQNode node = await DedicatedRabbitMQNode.StartAsync();
        string exchange = TestService.NewQueueName("backplane");
        await using ServerProcess a = await ServerProcess.StartAsync(node.Port, exchange);
        await using ServerProcess b = await ServerProcess.StartAsync(node.Port, exchange);
        Listener[] clients = [.. await Task.WhenAll(a.ConnectAsync(), a.ConnectAsync(), b.ConnectAsync(), b.ConnectAsync())];
        try
        {
            Assert.Equal("sent a1", await a.BroadcastAsync("a1"));
            await Task.WhenAll(clients.Select(c => c.WaitForAsync("a1", TestService.Limit)));
            Assert.Equal("sent b1", await b.BroadcastAsync("b1"));
            await Task.WhenAll(clients.Select(c => c.WaitForAsync("b1", TestService.Limit)));

            await node.StopAppAsync();
            try
            {
                // While the broker is down a broadcast fails, and reaches no one, not even the clients of its own process.
                Assert.StartsWith("failed down1: ", await a.BroadcastAsync("down1"));
            }
            finally
            {
                await node.StartAppAsync();
            }

            // Each process reconnects by itself; once both have, one broadcast from each reaches all four clients.
            await BroadcastUntilAllHearAsync(a, "after-a", clients);
            await BroadcastUntilAllHearAsync(b, "after-b", clients);
            Assert.Equal("sent last", await a.BroadcastAsync("last"));
            await Task.WhenAll(clients.Select(c => c.WaitForAsync("last", TestService.Limit)));
        }
        finally
        {
            foreach (Listener client in clients)
            {
                await client.DisposeAsync();
            }
        }

        Assert.Equal("end", await a.StopAsync());
        Assert.Equal("end", await b.StopAsync());
        foreach (Listener client in clients)
        {
            string[] heard = client.Heard;
            Assert.True(heard.Distinct().Count() == heard.Length, "A client heard a broadcast twice: " + string.Join(", ", heard));
            Assert.DoesNotContain("down1", heard);
            Assert.Equal(["a1", "b1"], heard.Take(2));
            Assert.Equal("last", heard[^1]);
        }
    }

    // A process that has not reconnected yet misses a broadcast; a later one, with a name of its own, reaches it.
    private static async Task BroadcastUntilAllHearAsync(ServerProcess from, string prefix, Listener[] clients)
    {
        var clock = Stopwatch.StartNew();
        var outcomes = new List<string>();
        for (int attempt = 0; clock.Elapsed < TestService.Limit; attempt++)
        {
            string id = prefix + attempt.ToString(CultureInfo.InvariantCulture);
            string outcome = await from.BroadcastAsync(id);
            outcomes.Add(outcome);
            if (outcome == "sent " + id)
            {
                try
                {
                    await Task.WhenAll(clients.Select(c => c.WaitForAsync(id, TimeSpan.FromSeconds(5))));
                    return;
                }
                catch (TimeoutException)
                {
                    continue;
                }
            }

            await Task.Delay(250);
        }

        Assert.Fail($"No broadcast of {prefix} reached every client within {TestService.Limit.TotalSeconds} s: {string.Join("; ", outcomes.TakeLast(5))}");
    }

    /// <summary>A duplex TCP client that records the <c>heard</c> notifications it is sent.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        private readonly Channel<string> _incoming = Channel.CreateUnbounded<string>();
        private readonly ConcurrentQueue<string> _heard = new();
        private readonly HashSet<string> _seen = [];
        private RpcConnection _connection = null!;

        public string[] Heard => [.. _heard];

        public static async Task<Listener> ConnectAsync(int port)
        {
            var listener = new Listener();
            var dispatcher = new RpcDispatcher();
            dispatcher.AddMethod("heard", (request, _) =>
            {
                string id = request.Arguments.TryGet(0, "id", request.Arguments.IsNamed, out string? v) ? v! : "?";
                listener._heard.Enqueue(id);
                listener._incoming.Writer.TryWrite(id);
                return new(request.Respond());
            }, [new RpcParameter("id", typeof(string))]);
            listener._connection = new RpcConnection(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port), dispatcher);

            // Answered only once the server has taken the connection in: from then on a broadcast reaches it.
            Assert.Equal("pong", await listener._connection.CallAsync<string>("ping").WaitAsync(TestService.Limit));
            return listener;
        }

        public async Task WaitForAsync(string id, TimeSpan limit)
        {
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                while (!_seen.Contains(id))
                {
                    _seen.Add(await _incoming.Reader.ReadAsync(timeout.Token));
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"'{id}' did not arrive within {limit.TotalSeconds} s; heard: {string.Join(", ", _heard)}");
            }
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }

    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private ServerProcess(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<ServerProcess> StartAsync(int amqpPort, string exchange)
        {
            string helper = typeof(BackplaneProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "TestServerPath").Value!;
            Assert.True(File.Exists(helper), "The test server was not built: " + helper);
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { helper, "backplane", amqpPort.ToString(CultureInfo.InvariantCulture), exchange })
            {
                info.ArgumentList.Add(arg);
            }

            Process process = Process.Start(info) ?? throw new InvalidOperationException("The test server did not start.");
            try
            {
                string line = await ReadLineAsync(process);
                Assert.StartsWith("port ", line);
                return new ServerProcess(process, int.Parse(line["port ".Length..], CultureInfo.InvariantCulture));
            }
            catch
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw;
            }
        }

        public Task<Listener> ConnectAsync() => Listener.ConnectAsync(Port);

        /// <summary>Broadcasts and returns the process's answer: "sent ID" or "failed ID: reason".</summary>
        public async Task<string> BroadcastAsync(string id)
        {
            await _process.StandardInput.WriteLineAsync("broadcast " + id);
            await _process.StandardInput.FlushAsync();
            return await ReadLineAsync(_process);
        }

        public async Task<string> StopAsync()
        {
            _process.StandardInput.Close();
            return await ReadLineAsync(_process);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
            }

            _process.Dispose();
        }

        private static async Task<string> ReadLineAsync(Process process)
        {
            using var timeout = new CancellationTokenSource(TestService.Limit);
            string? line;
            try
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("The backplane server printed nothing in time.");
            }

            if (line is null)
            {
                string error = await process.StandardError.ReadToEndAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                throw new InvalidOperationException("The backplane server ended early: " + error);
            }

            return line;
        }
    }
}
