namespace TinyRpc.Client;

/// <summary>
/// An untyped proxy (tinyrpc's <c>RPCProxy</c>): <c>proxy.CallAsync&lt;string&gt;("reverse_string", "abc")</c>
/// calls <c>prefix + "reverse_string"</c>. Generated typed proxies (<see cref="RpcClient.GetProxy{TService}"/>) are the
/// typed counterpart.
/// </summary>
public sealed class RpcProxy
{
    internal RpcProxy(RpcClient client, string prefix, bool oneWay)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        Client = client;
        Prefix = prefix;
        OneWay = oneWay;
    }

    /// <summary>The client calls go through.</summary>
    public RpcClient Client { get; }

    /// <summary>Prepended to every method name.</summary>
    public string Prefix { get; }

    /// <summary>When true, every call is a notification and returns the default result at once.</summary>
    public bool OneWay { get; }

    /// <summary>Calls <c>Prefix + method</c> with positional arguments.</summary>
    public async Task<TResult> CallAsync<TResult>(string method, params object?[] args)
    {
        if (OneWay)
        {
            await Client.NotifyAsync(Prefix + method, args).ConfigureAwait(false);
            return default!;
        }

        return await Client.CallAsync<TResult>(Prefix + method, args, null).ConfigureAwait(false);
    }

    /// <summary>Calls <c>Prefix + method</c> with named arguments.</summary>
    public async Task<TResult> CallNamedAsync<TResult>(string method, IReadOnlyDictionary<string, object?> kwargs, CancellationToken cancellationToken = default)
    {
        if (OneWay)
        {
            await Client.NotifyAsync(Prefix + method, null, kwargs, cancellationToken).ConfigureAwait(false);
            return default!;
        }

        return await Client.CallAsync<TResult>(Prefix + method, null, kwargs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls <c>Prefix + method</c> and blocks for the result.</summary>
    public TResult Call<TResult>(string method, params object?[] args) => CallAsync<TResult>(method, args).GetAwaiter().GetResult();

    /// <summary>A proxy whose prefix extends this one's (<c>proxy["sitea."]</c>).</summary>
    public RpcProxy this[string prefix] => new(Client, Prefix + prefix, OneWay);
}
