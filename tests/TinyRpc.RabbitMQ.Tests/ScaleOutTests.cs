using System.Collections.Concurrent;
using TinyRpc.Client;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.Tests;

public sealed class ScaleOutTests
{
    [Fact]
    public async Task Three_servers_on_one_queue_share_the_load_and_answer_each_call_once()
    {
        // Three servers in this process, each with its own connection, channel and RpcServer.
        const int Calls = 3000;
        string queue = TestService.NewQueueName("scale");
        var handled = new ConcurrentDictionary<int, int>[3];
        var servers = new RunningServer[3];
        try
        {
            for (int s = 0; s < servers.Length; s++)
            {
                var seen = handled[s] = new ConcurrentDictionary<int, int>();
                var transport = await RabbitMQServerTransport.CreateAsync(RabbitMQBroker.Host, queue, prefetch: 8);
                servers[s] = RunningServer.Start(transport, TestService.CreateDispatcher(value => seen.AddOrUpdate(value, 1, (_, n) => n + 1)));
            }

            await using var transport1 = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
            await using var transport2 = await RabbitMQClientTransport.CreateAsync(RabbitMQBroker.Host, queue);
            transport1.Timeout = transport2.Timeout = TestService.Limit;
            var clients = new[] { new RpcClient(new Protocols.JsonRpc.JsonRpcProtocol(), transport1), new RpcClient(new Protocols.JsonRpc.JsonRpcProtocol(), transport2) };
            int[] results = await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => clients[i % 2].CallAsync<int>("echo", i)));

            Assert.Equal(Enumerable.Range(0, Calls), results);
            // Exactly once: every value was handled by one server, one time.
            Assert.Equal(Calls, handled.Sum(h => h.Count));
            Assert.All(handled, h => Assert.All(h.Values, n => Assert.Equal(1, n)));
            Assert.Equal(Enumerable.Range(0, Calls), handled.SelectMany(h => h.Keys).Order());
            // Shared: each server did a real part of the work.
            Assert.All(handled, h => Assert.True(h.Count >= Calls / 20, $"A server handled only {h.Count} of {Calls} calls."));
        }
        finally
        {
            foreach (RunningServer? server in servers)
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }
            }

            await Admin.DeleteQueueAsync(queue);
        }
    }
}
