using System.Runtime.CompilerServices;
using TinyRpc;

namespace AotSample;

/// <summary>
/// A contract with a stream, a progress report and a call that waits until it is cancelled: what needs a connection
/// that carries calls both ways (an <c>RpcConnection</c>).
/// </summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IFeed
{
    /// <summary>Streams <paramref name="count"/> deliveries, each produced when the client asks for it.</summary>
    [Public]
    IAsyncEnumerable<Item> RestockAsync(int count, CancellationToken cancellationToken = default);

    /// <summary>Reports 1 to <paramref name="steps"/> as it goes, then returns <paramref name="steps"/>.</summary>
    [Public]
    Task<int> AuditAsync(int steps, IProgress<int> progress);

    /// <summary>Waits until its call is cancelled.</summary>
    [Public]
    Task<string> WaitAsync(CancellationToken cancellationToken = default);
}

/// <summary>The implementation, with signals the sample waits on.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class Feed : IFeed
{
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The waiting call has started.</summary>
    public Task Waiting => _waiting.Task;

    /// <summary>The waiting call saw its cancellation.</summary>
    public Task Cancelled => _cancelled.Task;

    public async IAsyncEnumerable<Item> RestockAsync(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (int i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return new Item("bolt", i, []);
        }
    }

    public Task<int> AuditAsync(int steps, IProgress<int> progress)
    {
        for (int i = 1; i <= steps; i++)
        {
            progress.Report(i);
        }

        return Task.FromResult(steps);
    }

    public async Task<string> WaitAsync(CancellationToken cancellationToken = default)
    {
        _waiting.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "never";
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }
    }
}

/// <summary>
/// Keeps progress reports as they come, in order. <see cref="Progress{T}"/> would post each to the thread pool, where
/// they may run out of order and after the call has returned.
/// </summary>
public sealed class ReportList : IProgress<int>
{
    private readonly List<int> _values = [];

    public IReadOnlyList<int> Values => _values;

    public void Report(int value)
    {
        lock (_values)
        {
            _values.Add(value);
        }
    }
}
