using System.Text;
using System.Text.Json.Nodes;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>Runs JSON-RPC messages through a dispatcher, as a server would.</summary>
internal static class JsonRpcKit
{
    /// <summary>Protocol options whose serializer knows this project's types without reflection.</summary>
    public static JsonRpcProtocolOptions Options { get; } = new()
    {
        SerializerOptions = new System.Text.Json.JsonSerializerOptions { TypeInfoResolver = IntegrationJsonContext.Default },
    };

    /// <summary>Parses <paramref name="json"/>, dispatches it and returns the serialized reply (null for notifications).</summary>
    public static async Task<string?> DispatchAsync(RpcDispatcher dispatcher, string json, CancellationToken cancellationToken = default)
    {
        var protocol = new JsonRpcProtocol(Options);
        RpcMessage request;
        try
        {
            request = protocol.ParseRequest(Encoding.UTF8.GetBytes(json));
        }
        catch (BadRequestException e)
        {
            return Encoding.UTF8.GetString(protocol.ErrorRespond(e).Serialize().Span);
        }

        RpcMessage? reply = await dispatcher.DispatchAsync(request, cancellationToken);
        return reply is null ? null : Encoding.UTF8.GetString(reply.Serialize().Span);
    }

    /// <summary>Asserts that two JSON texts hold the same value (member order and whitespace aside).</summary>
    public static void AssertJsonEqual(string expected, string? actual)
    {
        Assert.NotNull(actual);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");
    }

    /// <summary>Asserts an error reply with <paramref name="code"/> whose message contains <paramref name="messagePart"/>.</summary>
    public static JsonObject AssertError(string? reply, int code, string messagePart)
    {
        Assert.NotNull(reply);
        JsonObject error = JsonNode.Parse(reply)!["error"]!.AsObject();
        Assert.Equal(code, (int)error["code"]!);
        Assert.Contains(messagePart, (string)error["message"]!, StringComparison.Ordinal);
        return error;
    }
}

/// <summary>
/// An in-process loopback transport: hands each message's bytes to a dispatcher in this process and returns
/// the serialized reply, so that a client and its generated proxies are tested against a real server side
/// without sockets.
/// </summary>
internal sealed class LoopbackTransport(RpcDispatcher dispatcher) : IClientTransport
{
    private readonly JsonRpcProtocol _serverProtocol = new();

    public int Messages { get; private set; }

    public async ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Messages++;
        RpcMessage request;
        try
        {
            request = _serverProtocol.ParseRequest(message.ToArray());
        }
        catch (BadRequestException e)
        {
            return _serverProtocol.ErrorRespond(e).Serialize();
        }

        RpcMessage? reply = await dispatcher.DispatchAsync(request, cancellationToken);
        return expectReply && reply is not null ? reply.Serialize() : ReadOnlyMemory<byte>.Empty;
    }
}
