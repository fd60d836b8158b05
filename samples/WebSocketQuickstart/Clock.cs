using TinyRpc;

namespace WebSocketQuickstart;

[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IClock
{
    /// <summary>Answers <paramref name="text"/> after <paramref name="milliseconds"/>.</summary>
    [Public]
    Task<string> EchoAfterAsync(string text, int milliseconds);
}

[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class Clock : IClock
{
    public async Task<string> EchoAfterAsync(string text, int milliseconds)
    {
        await Task.Delay(milliseconds);
        return text;
    }
}
