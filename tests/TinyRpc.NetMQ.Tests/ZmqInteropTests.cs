using System.Text.Json;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;
using RunningServer = TinyRpc.NetMQ.Tests.ZmqTransportTests.RunningServer;

namespace TinyRpc.NetMQ.Tests;

/// <summary>libzmq peers: Debian's python3-zmq, with and without python3-tinyrpc's zmq transport.</summary>
public sealed class ZmqInteropTests
{
    [Fact]
    public async Task Python_tinyrpc_client_calls_the_TinyRpc_server()
    {
        await using var server = new RunningServer();
        await using var python = PeerProcess.StartPython("tinyrpc_client.py", server.Endpoint);

        using var results = JsonDocument.Parse(await python.ReadLineAsync());
        Assert.Equal(0, await python.WaitForExitAsync());
        Assert.Equal("!dlroW ,olleH", results.RootElement.GetProperty("reverse").GetString());
        Assert.Equal(7, results.RootElement.GetProperty("subtract").GetInt32());
        Assert.Equal(-3, results.RootElement.GetProperty("named").GetInt32());
        Assert.Contains("not found", results.RootElement.GetProperty("missing").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Plain_libzmq_req_socket_gets_replies_and_an_empty_frame_for_a_notification()
    {
        await using var server = new RunningServer();
        await using var python = PeerProcess.StartPython("raw_req_client.py", server.Endpoint,
            """{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}""",
            """{"jsonrpc":"2.0","method":"subtract","params":[1,2]}""",
            "garbage",
            """[{"jsonrpc":"2.0","method":"reverse_string","params":["ab"],"id":"x"}]""");

        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":19}""", await python.ReadLineAsync());
        Assert.Equal("<empty>", await python.ReadLineAsync());
        using (var error = JsonDocument.Parse(await python.ReadLineAsync()))
        {
            Assert.Equal(RpcErrorCodes.ParseError, error.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        }

        Assert.Equal("""[{"jsonrpc":"2.0","id":"x","result":"ba"}]""", await python.ReadLineAsync());
        Assert.Equal(0, await python.WaitForExitAsync());
    }

    [Fact]
    public async Task TinyRpc_req_client_calls_the_Python_tinyrpc_server()
    {
        await using var python = PeerProcess.StartPython("tinyrpc_server.py");
        string endpoint = await python.ReadLineAsync();
        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(endpoint));

        Assert.Equal("!dlroW ,olleH", await client.CallAsync<string>("reverse_string", "Hello, World!"));
        Assert.Equal(-3, await client.CallAsync<int>("subtract", kwargs: new Dictionary<string, object?> { ["minuend"] = 5, ["subtrahend"] = 8 }));
        var error = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("nope"));
        Assert.Equal(RpcErrorCodes.MethodNotFound, error.Code);
    }

    [Fact]
    public async Task TinyRpc_req_client_gets_past_a_notification_the_Python_server_does_not_answer()
    {
        await using var python = PeerProcess.StartPython("tinyrpc_server.py");
        string endpoint = await python.ReadLineAsync();
        using var transport = ZmqClientTransport.Create(endpoint);
        transport.Timeout = TimeSpan.FromSeconds(1);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        await client.NotifyAsync("subtract", [1, 2]);
        Assert.Equal(1, await client.CallAsync<int>("subtract", 3, 2));
        Assert.Equal(1, transport.SocketsRecreated);
    }

    [Fact]
    public async Task TinyRpc_dealer_client_keeps_many_calls_outstanding_at_the_Python_server()
    {
        await using var python = PeerProcess.StartPython("tinyrpc_server.py");
        string endpoint = await python.ReadLineAsync();
        await using var client = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(endpoint)) { Timeout = TestService.Limit };

        int[] results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => client.CallAsync<int>("subtract", i, 10)));
        Assert.Equal(Enumerable.Range(-10, 300), results);
        await client.NotifyAsync("subtract", [1, 2]);
        Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
    }

    [Fact]
    public async Task TinyRpc_clients_call_a_plain_libzmq_rep_socket()
    {
        await using var python = PeerProcess.StartPython("raw_rep_server.py");
        string endpoint = await python.ReadLineAsync();
        await using (var client = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(endpoint)))
        {
            Assert.Equal("olleh", await client.CallAsync<string>("reverse_string", "hello"));
        }

        await using (var client = new RpcClient(new JsonRpcProtocol(), ZmqDealerClientTransport.Create(endpoint)))
        {
            string[] results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.CallAsync<string>("reverse_string", "ab" + i)));
            Assert.Equal(Enumerable.Range(0, 50).Select(i => new string(("ab" + i).Reverse().ToArray())), results);
        }
    }
}
