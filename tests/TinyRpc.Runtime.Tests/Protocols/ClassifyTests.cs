using System.Text;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>How a duplex connection tells a message apart before parsing it: request, notification or reply.</summary>
public class ClassifyTests
{
    private static readonly JsonRpcProtocol Protocol = new();

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","method":"m","params":[1],"id":1}""", RpcMessageKind.Request)]
    [InlineData("""{"id":"x","jsonrpc":"2.0","method":"m"}""", RpcMessageKind.Request)]
    [InlineData("""{"jsonrpc":"2.0","method":"m","id":null}""", RpcMessageKind.Request)]
    [InlineData("""{"jsonrpc":"2.0","method":"m","params":{"id":1}}""", RpcMessageKind.Notification)]
    [InlineData("""{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":41}}""", RpcMessageKind.Notification)]
    [InlineData("""[{"jsonrpc":"2.0","method":"m"}]""", RpcMessageKind.Request)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"method":"m"}}""", RpcMessageKind.Reply)]
    [InlineData("""{"jsonrpc":"2.0","error":{"code":-32600,"message":"x"},"id":null}""", RpcMessageKind.Reply)]
    [InlineData("""{"jsonrpc":"2.0","method":"m","params":[1""", RpcMessageKind.Request)]
    [InlineData("""not json""", RpcMessageKind.Unknown)]
    [InlineData("""{"jsonrpc":"2.0"}""", RpcMessageKind.Unknown)]
    public void A_message_is_told_apart_from_its_members(string json, RpcMessageKind kind)
        => Assert.Equal(kind, Protocol.Classify(Encoding.UTF8.GetBytes(json)));
}
