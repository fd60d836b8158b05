using TinyRpc;

namespace HostedServer;

/// <summary>The contract the client calls; the generator makes a proxy for it.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IGreeter
{
    /// <summary>Served as <c>greet</c>.</summary>
    [Public]
    Task<string> GreetAsync(string name);
}

/// <summary>The service, taken from the container for each call: its <see cref="CallScope"/> is new every time.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class GreeterService(CallScope scope) : IGreeter
{
    public Task<string> GreetAsync(string name) => Task.FromResult($"Hello, {name} (call scope {scope.Id:N})");
}

/// <summary>A scoped dependency: one per call, disposed when the call has been answered.</summary>
public sealed class CallScope : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public void Dispose()
    {
    }
}
