using System.Collections.Concurrent;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// The streams and progress reports of one connection: the streams this side produces for the other (by token, for
/// its <c>$/enumerator/next</c> and <c>$/enumerator/abort</c>), and the <see cref="IProgress{T}"/> of this side's calls
/// waiting for <c>$/progress</c>. The end of the connection disposes every producer and forgets every progress.
/// </summary>
/// <remarks>Safe for concurrent use.</remarks>
internal sealed class ConnectionStreams
{
    /// <summary>StreamJsonRpc's code for a token that names nothing (<c>NoMarshaledObjectFound</c>).</summary>
    public const string NotFoundMessage = "This remote object no longer exists.";

    private readonly ConcurrentDictionary<long, IStreamProducer> _producers = new();
    private readonly ConcurrentDictionary<long, IProgressSink> _progress = new();
    private readonly ConcurrentDictionary<RpcId, IProgressSink> _progressByCall = new();
    private long _lastProducerToken;
    private long _lastProgressToken = -1; // the first is 0, as StreamJsonRpc's
    private volatile bool _closed;

    /// <summary>The producers open now (for tests of their lifetimes).</summary>
    public int OpenProducers => _producers.Count;

    /// <summary>Registers a producer and returns its token.</summary>
    /// <exception cref="RpcTransportException">The connection has ended.</exception>
    public long Add(IStreamProducer producer)
    {
        long token = Interlocked.Increment(ref _lastProducerToken);
        _producers[token] = producer;
        if (_closed && _producers.TryRemove(token, out _))
        {
            _ = producer.StopAsync();
            throw new RpcTransportException("The connection has ended: the stream cannot be sent.");
        }

        return token;
    }

    /// <summary>Forgets the producer with <paramref name="token"/> (it has ended by itself).</summary>
    public void Remove(long token, IStreamProducer producer)
        => _producers.TryRemove(new KeyValuePair<long, IStreamProducer>(token, producer));

    /// <summary>Answers a <c>$/enumerator/next</c>: the next values of the stream it names, or error -32001.</summary>
    public ValueTask<RpcResponse?> NextAsync(RpcRequest request, CancellationToken cancellationToken)
    {
        if (!TryReadToken(request, out long token) || !_producers.TryGetValue(token, out IStreamProducer? producer))
        {
            return new(request.ErrorRespond(new RpcException(RpcErrorCodes.RemoteObjectNotFound, NotFoundMessage)));
        }

        return producer.NextAsync(request, cancellationToken);
    }

    /// <summary>Handles a <c>$/enumerator/abort</c>: disposes the producer it names. The reply (to a request) is null.</summary>
    public RpcResponse? Abort(RpcRequest request)
    {
        if (TryReadToken(request, out long token) && _producers.TryRemove(token, out IStreamProducer? producer))
        {
            _ = producer.StopAsync();
            return request.Respond();
        }

        return request.ErrorRespond(new RpcException(RpcErrorCodes.RemoteObjectNotFound, NotFoundMessage));
    }

    /// <summary>Registers the progress of an outgoing call and returns the token it is sent as.</summary>
    public long AddProgress(IProgressSink sink)
    {
        long token = Interlocked.Increment(ref _lastProgressToken);
        _progress[token] = sink;
        return token;
    }

    /// <summary>Forgets the progress with <paramref name="token"/>: reports for it are dropped from now on.</summary>
    public void RemoveProgress(long token, RpcId call)
    {
        _progress.TryRemove(token, out _);
        if (call.Kind != RpcIdKind.None)
        {
            _progressByCall.TryRemove(call, out _);
        }
    }

    /// <summary>Ties a registered progress to the call that carries its token, so that the call's reply ends it.</summary>
    public void BindProgress(RpcId call, IProgressSink sink) => _progressByCall[call] = sink;

    /// <summary>The reply to <paramref name="call"/> came after <paramref name="notificationsBefore"/> notifications.</summary>
    public void ReplyReceived(RpcId call, long notificationsBefore)
    {
        if (!_progressByCall.IsEmpty && _progressByCall.TryGetValue(call, out IProgressSink? sink))
        {
            sink.ReplyAfter(notificationsBefore);
        }
    }

    /// <summary>Hands a <c>$/progress</c> notification to the progress it names; one for no call waiting is dropped.</summary>
    public void Report(RpcRequest notification)
    {
        if (TryReadToken(notification, out long token) && _progress.TryGetValue(token, out IProgressSink? sink))
        {
            try
            {
                sink.Report(notification);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The caller's IProgress failed: its call and the connection go on.
            }
        }
    }

    /// <summary>The connection has ended: every producer is disposed (its token fires), every progress forgotten.</summary>
    public void CloseAll()
    {
        _closed = true;
        foreach (long token in _producers.Keys)
        {
            if (_producers.TryRemove(token, out IStreamProducer? producer))
            {
                _ = producer.StopAsync();
            }
        }

        _progress.Clear();
    }

    // The token is the first argument by position, or "token" by name; an integer.
    private static bool TryReadToken(RpcRequest request, out long token)
    {
        token = 0;
        RpcArguments args = request.Arguments;
        bool byName = args.IsNamed;
        if (!byName && args.Count == 0)
        {
            return false;
        }

        try
        {
            return args.TryGet(0, "token", byName, out token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false; // not an integer: names nothing
        }
    }

    /// <summary>
    /// True when <paramref name="message"/> is a notification a connection handles itself (<c>$/progress</c>,
    /// <c>$/cancelRequest</c>, <c>$/enumerator/abort</c>): it runs no method, so it takes no slot, and must get through
    /// while the methods holding every slot wait for it. Parsed only when it may be one ("$/" is in it).
    /// </summary>
    public static bool IsConnectionNotification(RpcProtocol protocol, ReadOnlyMemory<byte> message)
    {
        if (message.Span.IndexOf("$/"u8) < 0)
        {
            return false;
        }

        try
        {
            return protocol.ParseRequest(message) is RpcRequest { OneWay: true } request
                && request.Method is RpcProtocol.ProgressMethod or RpcProtocol.CancelRequestMethod or RpcProtocol.EnumeratorAbortMethod;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false; // answered as any bad message, in its turn
        }
    }

    /// <summary>True when <paramref name="request"/> names one of the methods a connection handles itself.</summary>
    public static bool IsStreamMethod(RpcRequest request, out string method)
    {
        ReadOnlySpan<byte> utf8 = request.MethodUtf8;
        if (!utf8.IsEmpty && (utf8.Length < 2 || utf8[0] != (byte)'$' || utf8[1] != (byte)'/'))
        {
            method = "";
            return false;
        }

        method = request.Method;
        return method is RpcProtocol.ProgressMethod or RpcProtocol.EnumeratorNextMethod or RpcProtocol.EnumeratorAbortMethod;
    }
}

/// <summary>One stream this side produces, registered by token.</summary>
internal interface IStreamProducer
{
    /// <summary>Answers a <c>$/enumerator/next</c>. Never throws.</summary>
    ValueTask<RpcResponse?> NextAsync(RpcRequest request, CancellationToken cancellationToken);

    /// <summary>Stops the producer: its token fires and its enumerator is disposed. Never throws; idempotent.</summary>
    Task StopAsync();
}

/// <summary>The <see cref="IProgress{T}"/> of an outgoing call, which decodes the value of a <c>$/progress</c>.</summary>
internal interface IProgressSink
{
    void Report(RpcRequest notification);

    /// <summary>The reply came after this many notifications of the connection: later reports are dropped.</summary>
    void ReplyAfter(long notificationsBefore);
}
