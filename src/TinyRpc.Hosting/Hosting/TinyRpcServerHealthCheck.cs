using Microsoft.Extensions.Diagnostics.HealthChecks;
using TinyRpc.Transports;

namespace TinyRpc.Hosting;

/// <summary>Healthy while its server serves (a TCP or pipe server: while it listens); unhealthy before, while it stops (it takes no new requests then), after, and when it failed.</summary>
internal sealed class TinyRpcServerHealthCheck(TinyRpcHostedServer server) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["server"] = server.Name, ["state"] = server.State.ToString() };
        if (server.Transport is TcpServerTransport tcp && server.State == TinyRpcServerState.Serving)
        {
            data["endpoint"] = tcp.LocalEndPoint.ToString();
        }

        if (server.Transport is ConnectionServerTransport connections && server.State == TinyRpcServerState.Serving)
        {
            data["connections"] = connections.ConnectionCount;
        }

        HealthCheckResult result = server.State switch
        {
            TinyRpcServerState.Serving => HealthCheckResult.Healthy($"TinyRpc server '{server.Name}' is serving.", data),
            TinyRpcServerState.Failed => new HealthCheckResult(context.Registration.FailureStatus,
                $"TinyRpc server '{server.Name}' failed: {server.Failure?.Message}", server.Failure, data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, $"TinyRpc server '{server.Name}' is {server.State}.", data: data),
        };
        return Task.FromResult(result);
    }
}
