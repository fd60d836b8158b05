using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// The side of a stream that produces it: the <see cref="IAsyncEnumerable{T}"/> a method returned, advanced only when
/// the consumer asks (<c>$/enumerator/next</c>), one value per answer, so that it is never more than one value ahead of
/// what the consumer has asked for.
/// </summary>
/// <remarks>
/// Its <see cref="CancellationTokenSource"/> is the token the method got (and the one its enumerator is created with):
/// it fires when the consumer stops (<c>$/enumerator/abort</c>, a cancelled <c>next</c>), or the connection ends.
/// A <c>next</c> that comes while another runs is refused.
/// </remarks>
internal sealed class StreamProducer<T>(ConnectionStreams streams, RpcProtocol protocol, IAsyncEnumerable<T> source, CancellationTokenSource stopped)
    : IStreamProducer
{
    private IAsyncEnumerator<T>? _enumerator;
    private long _token;
    private int _busy; // 1 while a next runs, or once disposal has taken the producer
    private volatile bool _disposeRequested;
    private int _disposed;

    public void Register() => _token = streams.Add(this);

    public long Token => _token;

    public async ValueTask<RpcResponse?> NextAsync(RpcRequest request, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return _disposeRequested
                ? request.ErrorRespond(new RpcException(RpcErrorCodes.RemoteObjectNotFound, ConnectionStreams.NotFoundMessage))
                : request.ErrorRespond(new RpcException(RpcErrorCodes.InvalidRequest, "$/enumerator/next was asked while an earlier one for the same stream is still running."));
        }

        bool finished = false;
        try
        {
            // A next that is cancelled (its caller's $/cancelRequest, the connection's end) stops the producer.
            using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), stopped);
            _enumerator ??= source.GetAsyncEnumerator(stopped.Token);
            if (!await _enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                finished = true;
                return request.Respond(new RpcStreamPage { Values = [], Finished = true });
            }

            return request.Respond(new RpcStreamPage { Values = [protocol.EncodeValue(_enumerator.Current)], Finished = false });
        }
        catch (Exception e)
        {
            finished = true;
            return ErrorRespond(request, e, stopped.IsCancellationRequested);
        }
        finally
        {
            if (finished || _disposeRequested)
            {
                streams.Remove(_token, this);
                await DisposeCoreAsync().ConfigureAwait(false);
            }
            else
            {
                Volatile.Write(ref _busy, 0);
                if (_disposeRequested && Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
                {
                    await DisposeCoreAsync().ConfigureAwait(false);
                }
            }
        }
    }

    public async Task StopAsync()
    {
        _disposeRequested = true;
        TryCancel();

        // A next running now disposes the enumerator when it ends: an enumerator cannot be disposed mid-MoveNextAsync.
        if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
        {
            await DisposeCoreAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask DisposeCoreAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        TryCancel();
        try
        {
            if (_enumerator is { } enumerator)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The producer failed while stopping: nobody is left to tell.
        }
        finally
        {
            stopped.Dispose();
        }
    }

    private void TryCancel()
    {
        try
        {
            stopped.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed already.
        }
        catch (AggregateException)
        {
            // A callback of the producer's token threw: the producer stops all the same.
        }
    }

    private static RpcErrorResponse? ErrorRespond(RpcRequest request, Exception e, bool cancelled) => e switch
    {
        OperationCanceledException when cancelled => request.ErrorRespond(new RequestCancelledException(e)),
        RpcException => request.ErrorRespond(e),
        _ => request.ErrorRespond(new ServerException(e.Message)),
    };
}
