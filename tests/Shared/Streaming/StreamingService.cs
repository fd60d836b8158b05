using System.Runtime.CompilerServices;

namespace TinyRpc.Tests.Streaming;

/// <summary>Streams and progress reports, as a client calls them through a generated proxy.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IStreamingService
{
    /// <summary>0 to <paramref name="count"/> - 1.</summary>
    [Public]
    IAsyncEnumerable<int> CountAsync(int count, CancellationToken cancellationToken = default);

    /// <summary>0, 1, 2, ... without end: each value is produced only when asked for.</summary>
    [Public]
    IAsyncEnumerable<int> EndlessAsync(CancellationToken cancellationToken = default);

    /// <summary>0 to <paramref name="before"/> - 1, then waits until stopped.</summary>
    [Public]
    IAsyncEnumerable<string> StallAsync(int before, CancellationToken cancellationToken = default);

    /// <summary>Reports 1 to <paramref name="steps"/>, then returns <paramref name="steps"/>.</summary>
    [Public]
    Task<int> WorkAsync(int steps, IProgress<int> progress);

    /// <summary>How many values the streams have produced so far.</summary>
    [Public]
    Task<int> ProducedAsync();

    /// <summary>Reports 1, keeps the progress (for a report after the reply), and returns 1.</summary>
    [Public]
    Task<int> RememberAsync(IProgress<int> progress);
}

/// <summary>The service, with signals a test waits on: when a stream's token fires and when its enumerator is disposed.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class StreamingService : IStreamingService
{
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _produced;

    /// <summary>A stream's token fired (the consumer stopped it, or its connection ended).</summary>
    public Task Cancelled => _cancelled.Task;

    /// <summary>A stream's enumerator was disposed (its finally ran).</summary>
    public Task Disposed => _disposed.Task;

    /// <summary>A stalling stream is waiting.</summary>
    public Task Stalled => _stalled.Task;

    public int Produced => Volatile.Read(ref _produced);

    public async IAsyncEnumerable<int> CountAsync(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using CancellationTokenRegistration registration = cancellationToken.Register(() => _cancelled.TrySetResult());
        try
        {
            for (int i = 0; i < count; i++)
            {
                await Task.Yield();
                Interlocked.Increment(ref _produced);
                yield return i;
            }
        }
        finally
        {
            _disposed.TrySetResult();
        }
    }

    public async IAsyncEnumerable<int> EndlessAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using CancellationTokenRegistration registration = cancellationToken.Register(() => _cancelled.TrySetResult());
        try
        {
            for (int i = 0; ; i++)
            {
                await Task.Yield();
                Interlocked.Increment(ref _produced);
                yield return i;
            }
        }
        finally
        {
            _disposed.TrySetResult();
        }
    }

    public async IAsyncEnumerable<string> StallAsync(int before, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using CancellationTokenRegistration registration = cancellationToken.Register(() => _cancelled.TrySetResult());
        try
        {
            for (int i = 0; i < before; i++)
            {
                Interlocked.Increment(ref _produced);
                yield return "value " + i;
            }

            _stalled.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield return "never";
        }
        finally
        {
            _disposed.TrySetResult();
        }
    }

    public async Task<int> WorkAsync(int steps, IProgress<int> progress)
    {
        for (int i = 1; i <= steps; i++)
        {
            progress.Report(i);
            if (i % 10 == 0)
            {
                await Task.Yield();
            }
        }

        return steps;
    }

    public Task<int> ProducedAsync() => Task.FromResult(Produced);

    /// <summary>The progress the last <see cref="RememberAsync"/> got.</summary>
    public IProgress<int>? Remembered { get; private set; }

    public Task<int> RememberAsync(IProgress<int> progress)
    {
        progress.Report(1);
        Remembered = progress;
        return Task.FromResult(1);
    }
}

/// <summary>
/// An <see cref="IProgress{T}"/> that keeps its reports in the order they came, synchronously (unlike
/// <see cref="Progress{T}"/>, which posts each report to the thread pool, so that order and timing are lost).
/// </summary>
public sealed class RecordingProgress<T> : IProgress<T>
{
    private readonly List<T> _reports = [];

    public void Report(T value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }
    }

    public T[] Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }
}
