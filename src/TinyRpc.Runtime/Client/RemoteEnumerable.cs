using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Client;

/// <summary>
/// The consumer's side of a stream: enumerating it sends the call, then asks for values one answer at a time
/// (<c>$/enumerator/next</c>), only when the values already received have been taken. Disposing it early, or
/// cancelling it, stops the producer (<c>$/enumerator/abort</c>; a cancelled <c>next</c> is cancelled on the other side
/// too). It can be enumerated once: the call is sent once.
/// </summary>
internal sealed class RemoteEnumerable<T>(RpcClient client, RpcRequest request, CancellationToken callToken) : IAsyncEnumerable<T>
{
    private int _enumerated;

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A stream returned by a call can be enumerated once: each enumeration would need a call of its own.");
        }

        return new Enumerator(client, request, callToken, cancellationToken);
    }

    private sealed class Enumerator : IAsyncEnumerator<T>
    {
        private readonly RpcClient _client;
        private readonly RpcRequest _request;
        private readonly CancellationTokenSource? _linked;
        private readonly CancellationToken _token;
        private readonly Queue<ReadOnlyMemory<byte>> _buffer = new();
        private long? _streamToken;
        private bool _called;
        private bool _finished;
        private bool _disposed;
        private T _current = default!;

        public Enumerator(RpcClient client, RpcRequest request, CancellationToken callToken, CancellationToken enumeratorToken)
        {
            _client = client;
            _request = request;
            if (callToken.CanBeCanceled && enumeratorToken.CanBeCanceled && callToken != enumeratorToken)
            {
                _linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, enumeratorToken);
                _token = _linked.Token;
            }
            else
            {
                _token = callToken.CanBeCanceled ? callToken : enumeratorToken;
            }
        }

        public T Current => _current;

        public async ValueTask<bool> MoveNextAsync()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (true)
            {
                if (_buffer.TryDequeue(out ReadOnlyMemory<byte> encoded))
                {
                    _current = _client.Protocol.DecodeValue<T>(encoded);
                    return true;
                }

                if (_finished)
                {
                    return false;
                }

                RpcStreamPage page;
                if (!_called)
                {
                    _called = true;
                    page = await AskAsync(_request).ConfigureAwait(false);
                    _streamToken = page.Token;

                    // No token: every value came with the result.
                    _finished = page.Token is null || page.Finished == true;
                }
                else
                {
                    page = await AskAsync(_client.Protocol.CreateRequestBuilder(RpcProtocol.EnumeratorNextMethod).Add(_streamToken!.Value).Build()).ConfigureAwait(false);
                    _finished = page.Finished == true;
                }

                if (_finished)
                {
                    _streamToken = null; // the producer has ended: nothing to stop
                }

                foreach (ReadOnlyMemory<byte> value in page.Values ?? [])
                {
                    _buffer.Enqueue(value);
                }
            }
        }

        private async Task<RpcStreamPage> AskAsync(RpcRequest request)
        {
            try
            {
                return await _client.SendAsync<RpcStreamPage>(request, _token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _finished = true; // the cancelled next stopped the producer (and an abort is sent on disposal)
                throw;
            }
            catch (ObjectDisposedException e)
            {
                _finished = true;
                _streamToken = null;
                throw new RpcTransportException("The connection ended while the stream was being read: " + e.Message, e);
            }
            catch (RpcTransportException e)
            {
                _finished = true;
                _streamToken = null;
                throw new RpcTransportException("The connection ended while the stream was being read: " + e.Message, e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _linked?.Dispose();
            if (_streamToken is long token)
            {
                _streamToken = null;
                try
                {
                    // Best effort: when the connection is gone, so is the producer.
                    await _client.SendAsync(_client.Protocol.CreateRequestBuilder(RpcProtocol.EnumeratorAbortMethod, oneWay: true).Add(token).Build(), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RpcException or ObjectDisposedException or IOException or InvalidOperationException)
                {
                    // The connection is going.
                }
            }
        }
    }
}
