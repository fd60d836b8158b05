using System.Diagnostics.Metrics;
using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Hosting;

/// <summary>
/// The clients of one <see cref="TinyRpcServiceCollectionExtensions.AddTinyRpcClient{TService}"/> in one container:
/// over HTTP a client per proxy, each with an <see cref="HttpClient"/> from the factory (which pools the handlers);
/// over TCP one client for the container's life, over a connection made again when it drops.
/// </summary>
internal sealed class ClientSlot(string name, TinyRpcClientOptions options, RpcProtocol protocol, IHttpClientFactory httpClients, IMeterFactory? meters) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private RpcClient? _tcpClient;

    public TinyRpcClientOptions Options => options;

    public RpcClient GetClient()
    {
        Uri endpoint = options.Endpoint ?? throw new InvalidOperationException($"TinyRpcClientOptions '{name}': Endpoint is not set.");
        if (!options.IsTcp)
        {
            return new RpcClient(protocol, new HttpPostClientTransport(httpClients.CreateClient(name), endpoint, protocol.ContentType))
            {
                Timeout = options.Timeout,
                MeterFactory = meters,
            };
        }

        lock (_gate)
        {
            return _tcpClient ??= new RpcClient(
                protocol,
                new ReconnectingClientTransport(protocol, endpoint.Host, endpoint.Port, options.ReconnectDelay, options.MaxReconnectDelay))
            {
                Timeout = options.Timeout,
                MeterFactory = meters,
            };
        }
    }

    public async ValueTask DisposeAsync()
    {
        RpcClient? client;
        lock (_gate)
        {
            client = _tcpClient;
            _tcpClient = null;
        }

        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
