using System.Text;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

public class SmokeTests
{
    [Fact]
    public void Parses_and_answers_a_request()
    {
        var protocol = new JsonRpcProtocol();
        var request = (RpcRequest)protocol.ParseRequest(Encoding.UTF8.GetBytes("""{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"""));
        Assert.Equal("subtract", request.Method);
        Assert.True(request.Arguments.TryGet(0, "a", out int a));
        Assert.True(request.Arguments.TryGet(1, "b", out int b));
        RpcResponse response = request.Respond(a - b)!;
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":19}""", Encoding.UTF8.GetString(response.Serialize().Span));
    }
}
