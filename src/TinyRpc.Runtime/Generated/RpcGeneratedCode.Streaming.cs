using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Generated;

public static partial class RpcGeneratedCode
{
    private const string NeedsConnection = " needs a connection that carries calls both ways (TCP, named pipes, stdio, WebSocket, in memory); this request came over a transport that carries one reply per request (HTTP, ZeroMQ REQ, RabbitMQ, CGI). See docs/streaming.md.";

    /// <summary>
    /// Calls a method that returns a stream with a token that fires when the stream is stopped, registers the stream
    /// with the request's connection, and responds with its token (<c>{"token": N}</c>). Over a transport without a
    /// connection the response is an error that says so.
    /// </summary>
    public static ValueTask<RpcResponse?> RespondWithStream<T>(RpcRequest request, Func<CancellationToken, IAsyncEnumerable<T>> call)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(call);
        if (RpcConnection.Of(request) is not { } connection)
        {
            throw new RpcException(RpcErrorCodes.ServerError, $"{request.Method} returns a stream, which" + NeedsConnection);
        }

        if (request.OneWay)
        {
            return new((RpcResponse?)null); // a notification has no reply to carry the stream: it is not started
        }

        var stopped = new CancellationTokenSource();
        IAsyncEnumerable<T> source;
        try
        {
            source = call(stopped.Token) ?? throw new InvalidOperationException($"{request.Method} returned a null stream.");
        }
        catch
        {
            stopped.Dispose();
            throw;
        }

        var producer = new StreamProducer<T>(connection.Streams, connection.Protocol, source, stopped);
        producer.Register();
        try
        {
            return new(request.Respond(new RpcStreamPage { Token = producer.Token }));
        }
        catch
        {
            connection.Streams.Remove(producer.Token, producer);
            _ = producer.StopAsync();
            throw;
        }
    }

    /// <summary>
    /// The <see cref="IProgress{T}"/> for a parameter whose argument is the caller's progress token: its reports go to
    /// the caller as <c>$/progress</c>. Never null: with no token (absent or null) reports are dropped.
    /// </summary>
    /// <exception cref="InvalidParamsException">The token is not an integer.</exception>
    /// <exception cref="RpcException">A token came over a transport without a connection to send reports back on.</exception>
    public static IProgress<T> GetProgress<T>(RpcRequest request, RpcArguments args, int index, string name, bool named)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(args);
        long? token;
        try
        {
            if (!args.TryGet(index, name, named, out token))
            {
                token = null;
            }
        }
        catch (Exception e) when (e is not RpcException and not OutOfMemoryException)
        {
            throw new InvalidParamsException(name, "must be a progress token (an integer) or null");
        }

        RpcConnection? connection = RpcConnection.Of(request);
        if (token is not null && connection is null)
        {
            throw new RpcException(RpcErrorCodes.ServerError, $"{request.Method} reports progress, which" + NeedsConnection);
        }

        return new RemoteProgress<T>(connection, token);
    }

    /// <summary>
    /// Runs <paramref name="call"/>, then waits until the reports made through <paramref name="progress"/> (from
    /// <see cref="GetProgress{T}"/>) have been sent, so that they reach the caller before the reply; later reports are
    /// dropped.
    /// </summary>
    public static async ValueTask<RpcResponse?> RespondAfterProgress(object? progress, Func<ValueTask<RpcResponse?>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            if (progress is IProgressOwner owner)
            {
                await owner.EndAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A stream that sends <paramref name="request"/> when enumerated and asks for values as they are taken; see
    /// docs/streaming.md. Enumerable once.
    /// </summary>
    public static IAsyncEnumerable<T> Stream<T>(RpcClient client, RpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        return new RemoteEnumerable<T>(client, request, cancellationToken);
    }

    /// <summary>
    /// Registers the caller's <paramref name="progress"/> for one call and returns the token to send in its place
    /// (null, "no progress", when <paramref name="progress"/> is null). Pass <paramref name="tracking"/> to
    /// <see cref="SendWithProgressAsync{TResult}"/> or <see cref="CallWithProgressAsync"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The client is not an <see cref="RpcConnection"/> with a receive loop of its own.</exception>
    public static long? TrackProgress<T>(RpcClient client, IProgress<T>? progress, out object? tracking)
    {
        ArgumentNullException.ThrowIfNull(client);
        tracking = null;
        if (progress is null)
        {
            return null;
        }

        if (client is not RpcConnection connection)
        {
            throw new NotSupportedException("An IProgress<T> argument needs an RpcConnection, which receives the $/progress notifications the server sends; this client sends one request at a time.");
        }

        var registration = new ProgressRegistration<T>(connection, progress);
        registration.Register();
        tracking = registration;
        return registration.Token;
    }

    /// <summary>
    /// Sends a call that carries a progress token and returns its result once the reports sent before its reply have
    /// been handed to the caller's <see cref="IProgress{T}"/>; reports that come later are dropped.
    /// </summary>
    public static async Task<TResult> SendWithProgressAsync<TResult>(RpcClient client, RpcRequest request, object? tracking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        BindTracking(tracking, request);
        try
        {
            TResult result = await client.SendAsync<TResult>(request, cancellationToken).ConfigureAwait(false);
            await WhenReportsHandedAsync(tracking).ConfigureAwait(false);
            return result;
        }
        finally
        {
            EndTracking(tracking);
        }
    }

    /// <summary>As <see cref="SendWithProgressAsync{TResult}"/>, for a call whose result is not used.</summary>
    public static async Task CallWithProgressAsync(RpcClient client, RpcRequest request, object? tracking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        BindTracking(tracking, request);
        try
        {
            await CallAsync(client, request, cancellationToken).ConfigureAwait(false);
            await WhenReportsHandedAsync(tracking).ConfigureAwait(false);
        }
        finally
        {
            EndTracking(tracking);
        }
    }

    // The reports sent before the reply are those among the notifications received before it.
    private static Task WhenReportsHandedAsync(object? tracking)
        => tracking is IProgressTracking registration ? registration.Connection.WhenNotificationsStartedAsync(registration.NotificationsBeforeReply) : Task.CompletedTask;

    private static void BindTracking(object? tracking, RpcRequest request) => (tracking as IProgressTracking)?.Bind(request.Id);

    private static void EndTracking(object? tracking) => (tracking as IProgressTracking)?.Unregister();
}
