using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.MessagePack.Tests;

/// <summary>An RpcServer speaking MSGPACK-RPC: every message gets its reply, errors carry the JSON-RPC codes.</summary>
public class ServerTests
{
    private static RpcServer CreateServer(MessagePackRpcProtocol protocol)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Catalog());
        dispatcher.AddMethod("unwritable", static (request, _) => new(request.Respond(new Unlisted(1, 2))));
        dispatcher.AddMethod("fail", static (_, _) => throw new InvalidOperationException("it broke"));
        return new RpcServer(new Transports.CallbackServerTransport(static _ => default, static (_, _) => default), protocol, dispatcher);
    }

    private static async Task<RpcResponse> ExchangeAsync(RpcServer server, string hex)
    {
        ReadOnlyMemory<byte> reply = await server.HandleMessageAsync(Hex.Bytes(hex));
        return (RpcResponse)new MessagePackRpcProtocol().ParseReply(reply);
    }

    [Fact]
    public async Task Internal_and_server_errors_have_their_codes()
    {
        RpcServer server = CreateServer(new MessagePackRpcProtocol());

        // A result the protocol cannot write is the server's fault, without details.
        var unwritable = (RpcErrorResponse)await ExchangeAsync(server, "94 00 01 aa" + Hex.Of("unwritable"u8.ToArray()) + "90");
        Assert.Equal((RpcErrorCodes.InternalError, "Internal error", RpcId.FromNumber(1)), (unwritable.Code, unwritable.Message, unwritable.Id));

        // An exception of the method is a server error with its message.
        var failed = (RpcErrorResponse)await ExchangeAsync(server, "94 00 02 a4" + Hex.Of("fail"u8.ToArray()) + "90");
        Assert.Equal((RpcErrorCodes.ServerError, "it broke"), (failed.Code, failed.Message));

        var missing = (RpcErrorResponse)await ExchangeAsync(server, "94 00 03 a4" + Hex.Of("nope"u8.ToArray()) + "90");
        Assert.Equal(RpcErrorCodes.MethodNotFound, missing.Code);

        // add("x", 1): the message names the parameter.
        var invalid = (RpcErrorResponse)await ExchangeAsync(server, "94 00 04 a3" + Hex.Of("add"u8.ToArray()) + "92 a178 01");
        Assert.Equal(RpcErrorCodes.InvalidParams, invalid.Code);
        Assert.Contains("parameter 'a'", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_messages_are_answered_and_notifications_are_not()
    {
        RpcServer server = CreateServer(new MessagePackRpcProtocol());
        var garbage = (RpcErrorResponse)await ExchangeAsync(server, "c1 c1");
        Assert.Equal((RpcErrorCodes.ParseError, RpcId.Null), (garbage.Code, garbage.Id));
        var keywords = (RpcErrorResponse)await ExchangeAsync(server, "94 00 09 a3" + Hex.Of("add"u8.ToArray()) + "81 a161 01");
        Assert.Equal((RpcErrorCodes.InvalidRequest, RpcId.FromNumber(9)), (keywords.Code, keywords.Id));

        // Notifications get no reply, not even an error.
        Assert.True((await server.HandleMessageAsync(Hex.Bytes("93 02 a3" + Hex.Of("add"u8.ToArray()) + "92 a178 01"))).IsEmpty);
        Assert.True((await server.HandleMessageAsync(Hex.Bytes("93 02 a4" + Hex.Of("fail"u8.ToArray()) + "90"))).IsEmpty);
        Assert.True((await server.HandleMessageAsync(Hex.Bytes("93 02 a4" + Hex.Of("nope"u8.ToArray()) + "90"))).IsEmpty);
    }

    [Fact]
    public async Task An_error_reply_to_msgid_0_reaches_the_call_with_msgid_0()
    {
        // The msgid wraps from uint.MaxValue to 0: the first call below has msgid 0 and fails, the second has msgid 1.
        var protocol = TestProtocols.WithResolver();
        protocol.SetLastId(uint.MaxValue);
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Catalog());
        (Transports.InMemoryClientTransport clientTransport, Transports.InMemoryServerTransport serverTransport) = Transports.InMemoryTransport.CreatePair();

        // One message at a time, in order: the reply to msgid 0 arrives while the call with msgid 1 still waits, so
        // a reply whose msgid 0 were taken for nil (which fails every waiting call) would fail that one too.
        Task serving = new RpcServer(serverTransport, TestProtocols.WithResolver(), dispatcher, new RpcServerOptions { MaxConcurrency = 1 }).ServeForeverAsync();
        await using (var client = new RpcClient(protocol, clientTransport) { Timeout = TimeSpan.FromSeconds(30) })
        {
            Task<string> zero = client.CallAsync<string>("reverse_string", "rotator");
            Task<string> one = client.CallAsync<string>("reverse_string", "abc");

            MessagePackRpcException error = await Assert.ThrowsAsync<MessagePackRpcException>(() => zero);
            Assert.Equal((99, "Ah, that's cheating!"), (error.Code, error.Message));
            Assert.Equal("cba", await one);

            // The server's bytes: [1, 0, [99, "Ah, that's cheating!"], nil], msgid 0 and not nil.
            RpcServer bare = new(new Transports.CallbackServerTransport(static _ => default, static (_, _) => default), TestProtocols.WithResolver(), dispatcher);
            protocol.SetLastId(uint.MaxValue);
            RpcRequest request = protocol.CreateRequest("reverse_string", ["rotator"]);
            Assert.Equal(RpcId.FromNumber(0), request.Id);
            ReadOnlyMemory<byte> reply = await bare.HandleMessageAsync(request.Serialize());
            Assert.StartsWith("940100", Hex.Of(reply.ToArray()), StringComparison.Ordinal);
            Assert.Equal(RpcId.FromNumber(0), ((RpcErrorResponse)protocol.ParseReply(reply)).Id);
        }

        clientTransport.Dispose();
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
