using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Tests;

/// <summary>The methods every server in the transport tests offers.</summary>
internal static partial class TestService
{
    /// <summary>The bound on every wait in these tests.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// reverse_string(s), subtract(minuend, subtrahend), sleep(ms) and echo(value), which reports each value it
    /// answers to <paramref name="onEcho"/>.
    /// </summary>
    public static RpcDispatcher CreateDispatcher(Action<int>? onEcho = null)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("reverse_string", static (r, _) =>
            new(r.Respond(new string(Arg<string>(r, 0, "s").Reverse().ToArray()))),
            [new RpcParameter("s", typeof(string))]);
        dispatcher.AddMethod("subtract", static (r, _) =>
            new(r.Respond(Arg<int>(r, 0, "minuend") - Arg<int>(r, 1, "subtrahend"))),
            [new RpcParameter("minuend", typeof(int)), new RpcParameter("subtrahend", typeof(int))]);
        dispatcher.AddMethod("sleep", static async (r, ct) =>
        {
            int ms = Arg<int>(r, 0, "ms");
            await Task.Delay(ms, ct);
            return r.Respond(ms);
        }, [new RpcParameter("ms", typeof(int))]);
        dispatcher.AddMethod("echo", (r, _) =>
        {
            int value = Arg<int>(r, 0, "value");
            onEcho?.Invoke(value);
            return new(r.Respond(value));
        }, [new RpcParameter("value", typeof(int))]);
        return dispatcher;
    }

    public static T Arg<T>(RpcRequest request, int index, string name)
        => request.Arguments.TryGet(index, name, request.Arguments.IsNamed, out T value)
            ? value
            : throw new InvalidParamsException(name, "is missing");
}
