using System.Text;
using System.Text.Json;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>
/// The W3C trace context as top-level request members, where StreamJsonRpc puts them: always read, written only
/// with <see cref="JsonRpcProtocolOptions.PropagateTraceContext"/>.
/// </summary>
public class JsonRpcTraceContextTests
{
    private const string Parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Fact]
    public void A_request_with_traceparent_and_tracestate_is_valid_and_carries_them()
    {
        var request = (RpcRequest)new JsonRpcProtocol().ParseRequest(Encoding.UTF8.GetBytes(
            $$"""{"jsonrpc":"2.0","method":"pick","params":[1],"id":1,"traceparent":"{{Parent}}","tracestate":"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"}"""));

        Assert.Equal("pick", request.Method);
        request.ReadTraceContext(out string? traceParent, out string? traceState);
        Assert.Equal(Parent, traceParent);
        Assert.Equal("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", traceState);
        Assert.Equal(1, request.Arguments.Count);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","method":"m","id":1,"traceparent":5}""", "Member 'traceparent' must be a string, not a number.")]
    [InlineData("""{"jsonrpc":"2.0","method":"m","id":1,"tracestate":null}""", "Member 'tracestate' must be a string, not null.")]
    [InlineData("""{"jsonrpc":"2.0","method":"m","id":1,"traceparent":"a","traceparent":"b"}""", "Member 'traceparent' appears more than once.")]
    public void Trace_context_members_that_are_not_single_strings_are_an_invalid_request(string json, string reason)
    {
        JsonRpcInvalidRequestException e = Assert.Throws<JsonRpcInvalidRequestException>(() => new JsonRpcProtocol().ParseRequest(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(reason, e.GetData<string>());
    }

    [Fact]
    public void The_context_is_added_as_the_last_members_only_by_a_protocol_that_propagates_it()
    {
        var propagating = new JsonRpcProtocol(new JsonRpcProtocolOptions { PropagateTraceContext = true });
        RpcRequest request = propagating.CreateRequest("add", [1, 2]);

        // A tracestate value may hold quotes and backslashes: they are escaped as JSON strings.
        RpcRequest traced = propagating.WithTraceContext(request, Parent, "k=a\"b\\c");
        using JsonDocument document = JsonDocument.Parse(traced.Serialize());
        Assert.Equal(["jsonrpc", "method", "params", "id", "traceparent", "tracestate"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Parent, document.RootElement.GetProperty("traceparent").GetString());
        Assert.Equal("k=a\"b\\c", document.RootElement.GetProperty("tracestate").GetString());
        Assert.Equal(request.Id, traced.Id);
        Assert.Equal("add", traced.Method);
        Assert.True(traced.OwnsSerializedBytes);

        RpcRequest notification = propagating.WithTraceContext(propagating.CreateRequest("heard", ["x"], oneWay: true), Parent, traceState: null);
        Assert.Equal(
            $$"""{"jsonrpc":"2.0","method":"heard","params":["x"],"traceparent":"{{Parent}}"}""",
            Encoding.UTF8.GetString(notification.Serialize().Span));

        var plain = new JsonRpcProtocol();
        Assert.False(plain.WritesTraceContext);
        Assert.True(propagating.WritesTraceContext);
        RpcRequest untouched = plain.CreateRequest("add", [1, 2]);
        Assert.Same(untouched, plain.WithTraceContext(untouched, Parent, null));
    }
}
