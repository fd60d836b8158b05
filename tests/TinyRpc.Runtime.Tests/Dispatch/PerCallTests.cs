using System.Text;
using System.Text.Json.Nodes;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Dispatch;

/// <summary>RegisterPerCall: an instance and a lease made for each call, the lease disposed when the call ends.</summary>
public class PerCallTests
{
    private static readonly JsonRpcProtocol Protocol = new();

    private static async Task<JsonNode?> Dispatch(RpcDispatcher dispatcher, string json)
    {
        RpcMessage? reply = await dispatcher.DispatchAsync(Protocol.ParseRequest(Encoding.UTF8.GetBytes(json)));
        return reply is null ? null : JsonNode.Parse(reply.Serialize().Span);
    }

    private sealed class Lease(List<string> log, string name) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            log.Add("disposed " + name);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Each_call_runs_on_its_own_instance_and_its_lease_is_disposed_after_it()
    {
        var log = new List<string>();
        int made = 0;
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterPerCall<SomeWebsite>(_ =>
        {
            string name = "site" + ++made;
            log.Add("made " + name);
            return (new SomeWebsite(name), new Lease(log, name));
        }, "w.");

        JsonNode? first = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"w.get_user_info","params":["bob"],"id":1}""");
        JsonNode? second = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"w.get_user_info","params":["bob"],"id":2}""");

        Assert.Equal("site1:bob", (string?)first!["result"]);
        Assert.Equal("site2:bob", (string?)second!["result"]);
        Assert.Equal(["made site1", "disposed site1", "made site2", "disposed site2"], log);
    }

    [Fact]
    public async Task A_call_that_throws_still_disposes_its_lease()
    {
        var log = new List<string>();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterPerCall<SomeWebsite>(_ =>
        {
            log.Add("made s");
            return (new SomeWebsite("s"), new Lease(log, "s"));
        });

        // The argument is there (the validator lets it through) but is not a string: the method's invoker throws.
        JsonNode? reply = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"get_user_info","params":{"user":5},"id":1}""");

        Assert.NotNull(reply!["error"]);
        Assert.Equal(["made s", "disposed s"], log);
    }

    [Fact]
    public async Task Static_methods_never_ask_the_factory_for_an_instance()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterPerCall<Calculator>(_ => throw new InvalidOperationException("no instance for a static method"));

        JsonNode? reply = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[5,3],"id":1}""");

        Assert.Equal(2, (int?)reply!["result"]);
    }
}
