namespace TinyRpc.Transports;

/// <summary>A client transport that knows the server it talks to: the <c>server.address</c> and <c>server.port</c> of its calls.</summary>
internal interface IServerEndpoint
{
    string? ServerAddress { get; }

    int ServerPort { get; }
}
