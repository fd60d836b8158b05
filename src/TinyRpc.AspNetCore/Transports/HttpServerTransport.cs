using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TinyRpc.AspNetCore;
using TinyRpc.Protocols;
using TinyRpc.Server;

namespace TinyRpc.Transports;

/// <summary>
/// An HTTP POST server transport on ASP.NET Core (tinyrpc's <c>WsgiServerTransport</c>): <see cref="HandleAsync"/>
/// is the request delegate of an endpoint; each request body becomes a message for an <see cref="RpcServer"/>, and the
/// request waits until the server sends its reply. Map it with
/// <see cref="TinyRpcEndpointRouteBuilderExtensions.MapTinyRpc(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, string, HttpServerTransport)"/>.
/// </summary>
/// <remarks>
/// The HTTP rules are those of <see cref="RpcHttpOptions"/>: POST only (405 with <c>Allow</c> otherwise), OPTIONS
/// answered for CORS preflights, 415 for other content types, 413 for bodies over the limit, 204 with no body for a
/// notification, CORS headers only when an origin is configured. A client that disconnects before its reply is
/// simply forgotten.
/// </remarks>
public sealed class HttpServerTransport : IServerTransport
{
    private readonly InboundQueue _queue = new();
    private readonly RpcHttpHandler _handler;

    /// <summary>Creates the transport.</summary>
    /// <param name="contentType">The content type of replies and the one requests may carry (the protocol's <see cref="RpcProtocol.ContentType"/>).</param>
    /// <param name="options">Size limit, CORS and further accepted content types.</param>
    public HttpServerTransport(string contentType = "application/json", RpcHttpOptions? options = null)
    {
        _handler = new RpcHttpHandler(contentType, options);
    }

    /// <summary>Answers one HTTP request; use it as an endpoint's <see cref="RequestDelegate"/>.</summary>
    public Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _handler.HandleAsync(context, ExchangeAsync);
    }

    private async ValueTask<ReadOnlyMemory<byte>> ExchangeAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        var pending = new PendingHttpRequest(context);
        if (!_queue.TryWrite(new RpcInboundMessage(pending, body)))
        {
            throw new InvalidOperationException("The transport has been completed.");
        }

        // A request that the server has not taken yet is withdrawn when its client leaves (the server skips it) or when
        // the application stops (503). A request already taken is answered, unless its client has left.
        CancellationToken stopping = context.RequestServices?.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using CancellationTokenRegistration aborted = context.RequestAborted.Register(
            static state => ((PendingHttpRequest)state!).Abandon(), pending);
        using CancellationTokenRegistration stopped = stopping.Register(
            static state => ((PendingHttpRequest)state!).Withdraw(new InvalidOperationException("The application is stopping.")), pending);
        return await pending.Reply.Task.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Requests withdrawn while they waited in the queue (their client left, or the application is stopping) are skipped.</remarks>
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            RpcInboundMessage? next = await _queue.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (next is not { } message || ((PendingHttpRequest)message.Context!).TryTake())
            {
                return next;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (context is not PendingHttpRequest pending)
        {
            throw new ArgumentException("The context does not come from this transport.", nameof(context));
        }

        pending.Reply.TrySetResult(reply);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Stops taking requests: new ones are answered 503, and <see cref="ReceiveMessageAsync"/> returns null once the
    /// requests already queued have been received.
    /// </summary>
    public void Complete() => _queue.Complete();

    private sealed class PendingHttpRequest(HttpContext context) : RpcHttpRequestContext(context)
    {
        private const int Queued = 0;
        private const int Taken = 1;
        private const int Withdrawn = 2;
        private int _state;

        public TaskCompletionSource<ReadOnlyMemory<byte>> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Claims the request for the server; false when it was withdrawn first.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        /// <summary>The client left: the server skips the request if it has not taken it yet, and nobody waits for the reply.</summary>
        public void Abandon()
        {
            Interlocked.CompareExchange(ref _state, Withdrawn, Queued);
            Reply.TrySetCanceled();
        }

        /// <summary>Fails the request with <paramref name="reason"/> unless the server has taken it.</summary>
        public void Withdraw(Exception reason)
        {
            if (Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued)
            {
                Reply.TrySetException(reason);
            }
        }
    }
}
