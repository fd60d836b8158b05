using System.ComponentModel;
using System.Runtime.CompilerServices;
using TinyRpc.Client;
using TinyRpc.Protocols;

namespace TinyRpc.Generated;

/// <summary>
/// Helpers that generated dispatch tables and proxies call, kept here once instead of being emitted into
/// every generated file. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class RpcGeneratedCode
{
    /// <summary>Responds with no result once <paramref name="task"/> completes, awaiting only when it has not.</summary>
    public static ValueTask<RpcResponse?> RespondAfter(RpcRequest request, Task task)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompletedSuccessfully ? new(request.Respond()) : AwaitAsync(request, task);
    }

    /// <summary>Responds with no result once <paramref name="task"/> completes, awaiting only when it has not.</summary>
    public static ValueTask<RpcResponse?> RespondAfter(RpcRequest request, ValueTask task)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
            return new(request.Respond());
        }

        return AwaitAsync(request, task.AsTask());
    }

    /// <summary>Responds with the result of <paramref name="task"/>, awaiting only when it has not completed.</summary>
    public static ValueTask<RpcResponse?> RespondWithResult<T>(RpcRequest request, Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompletedSuccessfully ? new(request.Respond(task.Result)) : AwaitAsync(request, task);
    }

    /// <summary>Responds with the result of <paramref name="task"/>, awaiting only when it has not completed.</summary>
    public static ValueTask<RpcResponse?> RespondWithResult<T>(RpcRequest request, ValueTask<T> task)
    {
        ArgumentNullException.ThrowIfNull(request);
        return task.IsCompletedSuccessfully ? new(request.Respond(task.Result)) : AwaitAsync(request, task.AsTask());
    }

    /// <summary>Adds the elements of a <c>params</c> array as positional arguments.</summary>
    public static RpcRequestBuilder AddEach<T>(RpcRequestBuilder builder, T[]? values)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (values is not null)
        {
            foreach (T value in values)
            {
                builder.Add(value);
            }
        }

        return builder;
    }

    /// <summary>Sends a call whose result is not used, and throws the error of an error response.</summary>
    public static async Task CallAsync(RpcClient client, RpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        RpcResponse? response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response is RpcErrorResponse error)
        {
            throw client.Protocol.RaiseError(error);
        }
    }

    /// <summary>
    /// Sends a call and returns its result, for a proxy method that returns <c>ValueTask&lt;T&gt;</c>: the same
    /// outcomes as <see cref="RpcClient.SendAsync{TResult}"/>, without a <see cref="Task"/> (the client's steps are
    /// pooled value tasks, and so is this one's state machine).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<T> SendValueAsync<T>(RpcClient client, RpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.ResultOf<T>(await client.SendRequestAsync(request, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Sends a call whose result is not used, and throws the error of an error response, for a proxy method that
    /// returns <c>ValueTask</c>: <see cref="CallAsync"/> without a <see cref="Task"/>. A notification completes once sent.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask CallValueAsync(RpcClient client, RpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        RpcResponse? response = await client.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response is RpcErrorResponse error)
        {
            throw client.Protocol.RaiseError(error);
        }
    }

    private static async ValueTask<RpcResponse?> AwaitAsync(RpcRequest request, Task task)
    {
        await task.ConfigureAwait(false);
        return request.Respond();
    }

    private static async ValueTask<RpcResponse?> AwaitAsync<T>(RpcRequest request, Task<T> task)
        => request.Respond(await task.ConfigureAwait(false));
}
