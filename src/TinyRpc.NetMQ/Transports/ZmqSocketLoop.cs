using System.Runtime.CompilerServices;
using NetMQ;

namespace TinyRpc.Transports;

/// <summary>
/// Owns a poller thread: NetMQ sockets are not thread-safe, so every socket operation of a transport runs
/// here, posted through <see cref="InvokeAsync{T}"/> or raised by the poller as a ready event.
/// </summary>
internal sealed class ZmqSocketLoop : IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly NetMQPoller _poller = [];
    private readonly CancellationTokenSource _stopped = new();
    private int _disposed;

    public ZmqSocketLoop(string threadName) => _poller.RunAsync(threadName, isBackgroundThread: true);

    public NetMQPoller Poller => _poller;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Whether the calling thread is the poller thread.</summary>
    public bool IsLoopThread => _poller.CanExecuteTaskInline;

    /// <summary>Continues the awaiting method on a thread-pool thread (off the poller thread, without its synchronization context).</summary>
    public static ConfiguredTaskAwaitable LeaveLoopThread()
        => Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);

    /// <summary>
    /// Runs <paramref name="action"/> on the poller thread and completes with its result, or with an
    /// <see cref="ObjectDisposedException"/> when the loop stops first.
    /// </summary>
    public async Task<T> InvokeAsync<T>(Func<T> action)
    {
        if (IsDisposed)
        {
            throw new ObjectDisposedException(nameof(ZmqSocketLoop), "The transport has been disposed.");
        }

        Task<T> task = Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.RunContinuationsAsynchronously, _poller);
        try
        {
            return await task.WaitAsync(_stopped.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopped.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(ZmqSocketLoop), "The transport has been disposed.");
        }
    }

    /// <summary>
    /// Queues <paramref name="action"/> to run on the poller thread, after the work queued before it, without waiting for
    /// it. Nothing runs once the loop has stopped: the action must report its outcome itself.
    /// </summary>
    public void Post(Action action)
    {
        if (IsDisposed)
        {
            throw new ObjectDisposedException(nameof(ZmqSocketLoop), "The transport has been disposed.");
        }

        _ = Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.None, _poller);
    }

    /// <summary>Runs <paramref name="action"/> on the poller thread.</summary>
    public Task InvokeAsync(Action action) => InvokeAsync(() =>
    {
        action();
        return true;
    });

    /// <summary>
    /// Stops the poller thread (bounded), then runs <paramref name="cleanup"/> on the calling thread, which
    /// now owns the sockets.
    /// </summary>
    public void Dispose(Action cleanup)
    {
        if (_poller.CanExecuteTaskInline)
        {
            throw new InvalidOperationException("A ZeroMQ transport cannot be disposed on its own poller thread.");
        }

        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Task stop = Task.Run(_poller.Stop);
        bool stopped = stop.Wait(StopTimeout);
        _stopped.Cancel();
        if (stopped)
        {
            cleanup();
            _poller.Dispose();
        }
    }

    public void Dispose() => Dispose(static () => { });

    /// <summary>Sets a socket's linger so that closing it never waits long for unsent messages.</summary>
    public static void Close(NetMQSocket socket, TimeSpan linger)
    {
        socket.Options.Linger = linger;
        socket.Dispose();
    }
}
