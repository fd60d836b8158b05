using Microsoft.AspNetCore.Http;

namespace TinyRpc.AspNetCore;

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

        using CancellationTokenRegistration aborted = context.RequestAborted.Register(
            static state => ((PendingHttpRequest)state!).Reply.TrySetCanceled(), pending);
        return await pending.Reply.Task.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default) => _queue.ReceiveAsync(cancellationToken);

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
        public TaskCompletionSource<ReadOnlyMemory<byte>> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
