using System.Collections.Concurrent;

namespace TinyRpc.Hosting.Tests;

/// <summary>What the proxies call.</summary>
[RpcService]
public interface ICounter
{
    [Public]
    Task<string> WhoAsync();

    [Public]
    Task<int> CountAsync();

    [Public]
    Task<string> WaitAsync(string tag);

    /// <summary>Waits for the gate; says whether the call's token had fired by then.</summary>
    [Public]
    Task<string> DrainAsync(CancellationToken cancellationToken = default);
}

/// <summary>A service with a scoped and a singleton dependency; each call says which instances it ran on.</summary>
[RpcService]
public sealed partial class CounterService(ScopedDependency scoped, SingletonDependency singleton, Gate gate) : ICounter
{
    private int _count;

    public Task<string> WhoAsync() => Task.FromResult($"{scoped.Id}/{singleton.Id}/{gate.Tag}");

    public Task<int> CountAsync() => Task.FromResult(Interlocked.Increment(ref _count));

    public async Task<string> WaitAsync(string tag)
    {
        gate.Entered.TrySetResult();
        await gate.Release.Task.ConfigureAwait(false);
        return tag;
    }

    public async Task<string> DrainAsync(CancellationToken cancellationToken = default)
    {
        gate.Entered.TrySetResult();
        await gate.Release.Task.ConfigureAwait(false);
        return cancellationToken.IsCancellationRequested ? "cancelled" : "done";
    }
}

/// <summary>A service whose method waits for the call's cancellation, and says when it saw it.</summary>
[RpcService]
public sealed partial class StubbornService(Gate gate)
{
    [Public]
    public async Task<string> HangAsync(CancellationToken cancellationToken)
    {
        gate.Entered.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return "never";
        }
        catch (OperationCanceledException)
        {
            gate.Cancelled.TrySetResult();
            throw;
        }
    }
}

/// <summary>Scoped: a new one for each call, disposed when the call ends.</summary>
public sealed class ScopedDependency(SingletonDependency singleton) : IAsyncDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public ValueTask DisposeAsync()
    {
        singleton.Disposed.Add(Id);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Singleton: one for the container; records the scoped dependencies disposed.</summary>
public sealed class SingletonDependency
{
    public Guid Id { get; } = Guid.NewGuid();

    public ConcurrentBag<Guid> Disposed { get; } = [];
}

/// <summary>Lets a test wait for a method to be running, and release it.</summary>
public sealed class Gate
{
    public string Tag { get; set; } = "";

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
