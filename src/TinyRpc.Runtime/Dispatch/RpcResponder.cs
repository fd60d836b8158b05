using Microsoft.Extensions.Logging;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Server;

namespace TinyRpc.Dispatch;

/// <summary>
/// Answers messages: the protocol parses a message, the dispatcher handles it, the protocol writes the reply. The
/// part of tinyrpc's server that is not its transport, usable on its own: <see cref="RpcServer"/> runs it over a
/// server transport, the ASP.NET Core endpoint over each HTTP request, a CGI program or a user's own loop over
/// whatever brings messages. Batches, the reply size limit and the trace hook live here, so that every way of
/// serving answers alike.
/// </summary>
/// <remarks>
/// Never throws, and safe for concurrent use. A message that cannot be parsed gets the protocol's error reply; a
/// failure outside the called method gets an internal error without details.
/// </remarks>
public sealed partial class RpcResponder
{
    /// <summary>The <see cref="RpcTrace"/> direction of incoming messages.</summary>
    public const string Incoming = "-->";

    /// <summary>The <see cref="RpcTrace"/> direction of outgoing replies.</summary>
    public const string Outgoing = "<--";

    /// <summary>Creates a responder.</summary>
    public RpcResponder(RpcProtocol protocol, IRpcDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(dispatcher);
        Protocol = protocol;
        Dispatcher = dispatcher;
    }

    /// <summary>The protocol.</summary>
    public RpcProtocol Protocol { get; }

    /// <summary>The dispatcher.</summary>
    public IRpcDispatcher Dispatcher { get; }

    /// <summary>Called with every incoming message and outgoing reply; see <see cref="RpcTrace"/>.</summary>
    public RpcTrace? Trace { get; set; }

    /// <summary>
    /// Where replies that cannot be sent (too large for the transport) are logged, as warnings, and messages rejected
    /// as not a valid request, at debug level and at most once a second (docs/logging.md lists the events). Null: the
    /// dispatcher's <see cref="RpcDispatcher.Logger"/> when the dispatcher is an <see cref="RpcDispatcher"/>.
    /// </summary>
    public ILogger? Logger { get; set; }

    // The clock of the rejected messages' rate limit; tests move it by hand.
    internal TimeProvider Clock { get; set; } = TimeProvider.System;

    // When a rejected message was last logged (a Clock timestamp; long.MinValue: never), and how many were not since.
    private long _lastRejectedLog = long.MinValue;
    private int _rejectedNotLogged;

    internal ILogger? EffectiveLogger => Logger ?? (Dispatcher as RpcDispatcher)?.Logger;

    /// <summary>
    /// Turns one message into its reply: parse, dispatch, serialize. Returns an empty reply when nothing is to be
    /// sent (notifications). Never throws.
    /// </summary>
    public ValueTask<ReadOnlyMemory<byte>> RespondAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        // Each layer of async costs a call: a reply ready at once is returned without one.
        ValueTask<RpcReply> pending = RespondAsync(message, context: null, int.MaxValue, inbound: null, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(pending.Result.Message) : MessageOfAsync(pending);
    }

    /// <summary>
    /// Turns one message into its reply, as <see cref="RespondAsync(ReadOnlyMemory{byte}, CancellationToken)"/> does,
    /// passing <paramref name="context"/> to <see cref="Trace"/>. A reply over <paramref name="maxReplySize"/> bytes is
    /// replaced by the protocol's error reply (code -32603, saying the reply is too large) for the same request, so
    /// that the caller is answered. Never throws.
    /// </summary>
    public ValueTask<RpcReply> RespondAsync(ReadOnlyMemory<byte> message, object? context, int maxReplySize, CancellationToken cancellationToken = default)
        => RespondAsync(message, context, maxReplySize, inbound: null, cancellationToken);

    // For a request of a connection that carries calls both ways: the connection is attached to the request (for
    // RpcConnection.Of), the request can be cancelled by its caller's $/cancelRequest, and that notification is
    // handled here, answering nothing.
    internal ValueTask<RpcReply> RespondAsync(ReadOnlyMemory<byte> message, object? context, int maxReplySize, InboundCalls? inbound, CancellationToken cancellationToken)
        => Trace is null
            ? AnswerAsync(message, context, maxReplySize, inbound, cancellationToken)
            : TracedAsync(message, context, maxReplySize, inbound, cancellationToken);

    private static async ValueTask<ReadOnlyMemory<byte>> MessageOfAsync(ValueTask<RpcReply> pending)
        => (await pending.ConfigureAwait(false)).Message;

    private async ValueTask<RpcReply> TracedAsync(ReadOnlyMemory<byte> message, object? context, int maxReplySize, InboundCalls? inbound, CancellationToken cancellationToken)
    {
        Trace?.Invoke(Incoming, context, message);
        RpcReply reply = await AnswerAsync(message, context, maxReplySize, inbound, cancellationToken).ConfigureAwait(false);
        Trace?.Invoke(Outgoing, context, reply.Message);
        return reply;
    }

    private async ValueTask<RpcReply> AnswerAsync(ReadOnlyMemory<byte> message, object? context, int maxReplySize, InboundCalls? inbound, CancellationToken cancellationToken)
    {
        IRpcDispatcher dispatcher = Dispatcher;
        try
        {
            RpcMessage request;
            try
            {
                request = Protocol.ParseRequest(message);
            }
            catch (BadRequestException e)
            {
                LogRejected(e);
                return new(Protocol.ErrorRespond(e).Serialize(), false);
            }

            // Two stores per request (per member of a batch): what RpcCallContext reads, for the methods that ask.
            Attach(request, context, inbound?.Connection);

            if (IsObserved)
            {
                // A batch's members are dispatched as they always are, each in its own span; only a single request of
                // a connection is cancellable by its caller.
                dispatcher = new ObservedDispatcher(this, context, request is RpcRequest ? inbound : null);
            }

            RpcMessage? reply;
            if (inbound is null)
            {
                reply = request is RpcRequest single
                    ? await dispatcher.DispatchAsync(single, cancellationToken).ConfigureAwait(false)
                    : await BatchDispatch.DispatchAsync(dispatcher, (RpcBatchRequest)request, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                reply = request is RpcRequest single
                    ? dispatcher is ObservedDispatcher
                        ? await dispatcher.DispatchAsync(single, cancellationToken).ConfigureAwait(false)
                        : await DispatchCancellableAsync(single, inbound, cancellationToken).ConfigureAwait(false)
                    : await BatchDispatch.DispatchAsync(dispatcher, (RpcBatchRequest)request, cancellationToken).ConfigureAwait(false);
            }

            if (reply is null)
            {
                return default;
            }

            ReadOnlyMemory<byte> bytes = reply.Serialize();
            return bytes.Length > maxReplySize
                ? new(ReplyTooLarge(request, bytes.Length, maxReplySize), false)
                : new(bytes, reply.OwnsSerializedBytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not from the called method (the dispatcher answers those): no details leave the server.
            try
            {
                return new(Protocol.CreateErrorResponse(new ServerException()).Serialize(), false);
            }
            catch (Exception)
            {
                return default;
            }
        }
    }

    // A request of a connection runs with a token its caller can cancel; a $/cancelRequest cancels the one it names.
    private async ValueTask<RpcResponse?> DispatchCancellableAsync(RpcRequest request, InboundCalls inbound, CancellationToken cancellationToken)
    {
        if (request.OneWay)
        {
            if (RpcProtocol.TryReadCancelledId(request, out RpcId cancelled))
            {
                inbound.Cancel(cancelled);
                return null;
            }

            if (ConnectionStreams.IsStreamMethod(request, out string special))
            {
                // Handled by the connection, never dispatched: a report for a call of this side, or a stream stopped.
                if (special == RpcProtocol.ProgressMethod)
                {
                    inbound.Streams.Report(request);
                }
                else if (special == RpcProtocol.EnumeratorAbortMethod)
                {
                    inbound.Streams.Abort(request);
                }

                // A $/enumerator/next asks for a reply: as a notification it is nothing.
                return null;
            }

            return await Dispatcher.DispatchAsync(request, inbound.Ended ? new CancellationToken(true) : cancellationToken).ConfigureAwait(false);
        }

        CancellationTokenSource? source = inbound.Start(request.Id, cancellationToken);
        if (source is null)
        {
            return await Dispatcher.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (ConnectionStreams.IsStreamMethod(request, out string special) && special != RpcProtocol.ProgressMethod)
            {
                // Under the request's own token, so that the caller's $/cancelRequest reaches a next that waits.
                return special == RpcProtocol.EnumeratorNextMethod
                    ? await inbound.Streams.NextAsync(request, source.Token).ConfigureAwait(false)
                    : inbound.Streams.Abort(request);
            }

            return await Dispatcher.DispatchAsync(request, source.Token).ConfigureAwait(false);
        }
        finally
        {
            inbound.End(request.Id, source);
        }
    }

    private void Attach(RpcMessage request, object? context, object? connection)
    {
        if (request is RpcRequest single)
        {
            Attach(single, context, connection);
            return;
        }

        foreach (RpcBatchItem item in (RpcBatchRequest)request)
        {
            if (item.Request is { } member)
            {
                Attach(member, context, connection);
            }
        }
    }

    private void Attach(RpcRequest request, object? context, object? connection)
    {
        request.TransportContext = context;
        request.ReceivedProtocol = Protocol;
        if (connection is not null)
        {
            request.Connection = connection;
        }
    }

    // A reply the transport cannot carry becomes an error for the same request, so that the caller is answered; in a
    // batch, every member that expects a reply gets it (which member made the batch too large is not the point).
    private ReadOnlyMemory<byte> ReplyTooLarge(RpcMessage request, int size, int maxReplySize)
    {
        string text = $"The reply is too large: {size} bytes, and the transport sends at most {maxReplySize}.";
        if (EffectiveLogger is { } logger)
        {
            LogReplyTooLarge(logger, request is RpcRequest single ? single.Method : "(batch)", size, maxReplySize);
        }

        var error = new RpcException(RpcErrorCodes.InternalError, text);
        RpcMessage? reply = request switch
        {
            RpcRequest single => single.ErrorRespond(error),
            RpcBatchRequest batch => batch.CreateBatchResponse(batch.Select(item => item.Request is { } member ? member.ErrorRespond(error) : batch.ErrorRespond(item.Error!))),
            _ => null,
        };
        ReadOnlyMemory<byte> bytes = reply?.Serialize() ?? ReadOnlyMemory<byte>.Empty;

        // A batch of many members may be too large even as errors: then one error, with no id.
        return bytes.Length <= maxReplySize ? bytes : Protocol.CreateErrorResponse(error).Serialize();
    }

    // A peer that sends garbage could fill a log: at most one entry a second, which counts those left out before it.
    private void LogRejected(BadRequestException rejection)
    {
        if (EffectiveLogger is not { } logger || !logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        long now = Clock.GetTimestamp();
        long last = Volatile.Read(ref _lastRejectedLog);
        if ((last != long.MinValue && Clock.GetElapsedTime(last, now) < RejectedLogInterval)
            || Interlocked.CompareExchange(ref _lastRejectedLog, now, last) != last)
        {
            Interlocked.Increment(ref _rejectedNotLogged);
            return;
        }

        int notLogged = Interlocked.Exchange(ref _rejectedNotLogged, 0);
        LogMessageRejected(logger, rejection.Code, rejection.Message, notLogged);
    }

    private static readonly TimeSpan RejectedLogInterval = TimeSpan.FromSeconds(1);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "A message was rejected with {Code}: {Reason} ({Suppressed} rejected since the previous entry were not logged)")]
    private static partial void LogMessageRejected(ILogger logger, int code, string reason, int suppressed);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The reply to {Method} was not sent: {Size} bytes, and the transport sends at most {MaxReplySize}; the caller gets an error instead.")]
    private static partial void LogReplyTooLarge(ILogger logger, string method, int size, int maxReplySize);
}
