using TinyRpc.Dispatch;
using static TinyRpc.Integration.Tests.JsonRpcKit;

namespace TinyRpc.Integration.Tests;

/// <summary>RpcDispatcher.AddMethod(Delegate) calls, replaced at compile time by generated invokers.</summary>
public class AddMethodTests
{
    private static bool IsIntercepted(RpcMethod method)
        => method.Handler.Method.DeclaringType!.FullName!.Contains("RpcDispatcherInterceptors", StringComparison.Ordinal);

    [Fact]
    public async Task A_lambda_is_served_through_the_generated_invoker()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod((int minuend, int subtrahend) => minuend - subtrahend, "subtract");
        RpcMethod method = dispatcher.GetMethod("subtract");
        Assert.True(IsIntercepted(method), method.Handler.Method.DeclaringType!.FullName);
        Assert.Equal([new RpcParameter("minuend", typeof(int)), new RpcParameter("subtrahend", typeof(int))], method.Parameters);
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":19}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":19}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":{"subtrahend":23,"minuend":42},"id":2}"""));
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[42,"x"],"id":3}"""), -32602, "'subtrahend'");
    }

    [Fact]
    public async Task RpcName_on_a_lambda_parameter_names_it_on_the_wire()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod(([RpcName("user-id")] int userId, int factor) => userId * factor, "scale");
        RpcMethod method = dispatcher.GetMethod("scale");
        Assert.True(IsIntercepted(method), method.Handler.Method.DeclaringType!.FullName);
        Assert.Equal(["user-id", "factor"], method.Parameters.Select(p => p.Name));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":12}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"scale","params":{"user-id":4,"factor":3},"id":1}"""));
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"scale","params":{"userId":4,"factor":3},"id":2}"""), -32602, "'userId'");
    }

    [Fact]
    public async Task Async_lambdas_with_a_cancellation_token_and_nullable_parameters()
    {
        var dispatcher = new RpcDispatcher();
        CancellationToken seen = default;
        dispatcher.AddMethod(async (string text, string? suffix, CancellationToken cancellationToken) =>
        {
            seen = cancellationToken;
            await Task.Yield();
            return text + suffix;
        }, "concat");
        RpcMethod method = dispatcher.GetMethod("concat");
        Assert.True(IsIntercepted(method));
        Assert.Equal(["text", "suffix"], method.Parameters.Select(p => p.Name));

        using var cts = new CancellationTokenSource();
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":"ab"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"concat","params":["a","b"],"id":1}""", cts.Token));
        Assert.Equal(cts.Token, seen);
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":"a"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"concat","params":["a",null],"id":2}"""));
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"concat","params":[null,"b"],"id":3}"""), -32602, "'text'");
    }

    [Fact]
    public async Task A_method_group_is_registered_under_its_own_name_unless_named()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod(Hello);
        dispatcher.AddMethod(Hello, "hello");
        int pings = 0;
        dispatcher.AddMethod(() => { pings++; }, "ping");
        Assert.True(IsIntercepted(dispatcher.GetMethod("Hello")));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":"Hello, World"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"Hello","params":["World"],"id":1}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":"Hello, you"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"hello","params":{"name":"you"},"id":2}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":3,"result":null}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"ping","id":3}"""));
        Assert.Equal(1, pings);
    }

    [Fact]
    public void A_lambda_without_a_name_is_refused()
    {
        var dispatcher = new RpcDispatcher();
        Assert.Throws<ArgumentException>(() => dispatcher.AddMethod((int x) => x));
    }

    [Fact]
    public async Task Exceptions_from_a_lambda_become_error_responses()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod((string s) => s == "rotator" ? throw new PalindromeException(s) : s, "check");
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"error":{"code":99,"message":"Ah, that's cheating","data":"rotator"}}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"check","params":["rotator"],"id":1}"""));
    }

    private static string Hello(string name) => "Hello, " + name;
}
