namespace TinyRpc.Hosting;

/// <summary>
/// Settings of a client registered with <see cref="TinyRpcServiceCollectionExtensions.AddTinyRpcClient{TService}"/>.
/// Plain properties, so that they bind from configuration; validated when the host starts.
/// </summary>
public sealed class TinyRpcClientOptions
{
    internal const string ValidationMessage =
        "TinyRpcClientOptions: Endpoint must be an absolute http://, https:// or tcp://host:port URI, Timeout positive (or infinite), "
        + "ReconnectDelay positive and MaxReconnectDelay at least ReconnectDelay.";

    /// <summary>Where the server is: <c>http://…</c> or <c>https://…</c> (HTTP POST), or <c>tcp://host:port</c> (a connection kept open). Required.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Put before every method name the proxy calls (tinyrpc's proxy prefix). Empty by default.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>How long a call waits for its reply (<see cref="Client.RpcClient.Timeout"/>); 100 seconds by default.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Over TCP, the wait before the first attempt to connect again after an attempt failed; each further failure
    /// doubles it, up to <see cref="MaxReconnectDelay"/>, and a connection made resets it. 100 ms by default.
    /// </summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two attempts to connect. 30 seconds by default.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    internal bool IsTcp => Endpoint is { IsAbsoluteUri: true, Scheme: "tcp" };

    internal static bool IsValid(TinyRpcClientOptions options)
        => options.Endpoint is { IsAbsoluteUri: true } endpoint
            && (endpoint.Scheme is "http" or "https" || (endpoint.Scheme == "tcp" && endpoint.Port > 0 && endpoint.Host.Length > 0))
            && options.Prefix is not null
            && (options.Timeout > TimeSpan.Zero || options.Timeout == System.Threading.Timeout.InfiniteTimeSpan)
            && options.ReconnectDelay > TimeSpan.Zero
            && options.MaxReconnectDelay >= options.ReconnectDelay;
}
