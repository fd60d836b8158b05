namespace TinyRpc.Hosting;

/// <summary>Where a <see cref="TinyRpcHostedServer"/> is in its life.</summary>
public enum TinyRpcServerState
{
    /// <summary>The host has not started it yet.</summary>
    NotStarted,

    /// <summary>Its transport is open and it receives requests.</summary>
    Serving,

    /// <summary>It was stopped, or its transport ended (standard input closed, say).</summary>
    Stopped,

    /// <summary>Its transport could not be opened, or failed while serving: see <see cref="TinyRpcHostedServer.Failure"/>.</summary>
    Failed,

    /// <summary>
    /// The host is stopping it: it receives no new requests and lets the calls in flight finish (until the host's
    /// shutdown deadline); then it is <see cref="Stopped"/>. Its health check is unhealthy from here on.
    /// </summary>
    Stopping,
}
