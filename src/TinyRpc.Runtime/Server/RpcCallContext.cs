using System.Net;
using TinyRpc.Client;
using TinyRpc.Protocols;
using TinyRpc.Transports;

namespace TinyRpc.Server;

/// <summary>
/// What a served method may know of the call it is running for: the request's id and method name, the protocol, the
/// connection, the peer's address, the call's token, and what the transport keeps of the message (the ASP.NET Core
/// <c>HttpContext</c>, the AMQP message properties), read through the extension methods of the transport's package.
/// A method of an <c>[RpcService]</c> gets it by declaring a parameter of this type, which the generated code supplies
/// (it is not a wire parameter); a hand-written <see cref="Dispatch.RpcMethodHandler"/> makes it with <see cref="Of"/>.
/// </summary>
/// <remarks>
/// Made only for a method that asks for it, once per call. Valid while the method runs: the transport's context
/// (an HTTP request, for one) may be recycled once the reply is sent.
/// </remarks>
public sealed class RpcCallContext
{
    private RpcCallContext(RpcRequest request, CancellationToken cancellationToken)
    {
        Id = request.Id;
        Method = request.Method;
        Protocol = request.ReceivedProtocol;
        Connection = request.Connection as RpcConnection;
        TransportContext = request.TransportContext;
        CancellationToken = cancellationToken;
    }

    /// <summary>The context of the call <paramref name="request"/> is, run with <paramref name="cancellationToken"/>.</summary>
    /// <param name="request">The request being served, as the dispatcher hands it to the method.</param>
    /// <param name="cancellationToken">The token the dispatcher runs the method with.</param>
    public static RpcCallContext Of(RpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new RpcCallContext(request, cancellationToken);
    }

    /// <summary>The request's id; <see cref="RpcId.None"/> for a notification.</summary>
    public RpcId Id { get; }

    /// <summary>The method name as the request sent it (with the prefix of a subdispatcher, if any).</summary>
    public string Method { get; }

    /// <summary>The protocol that read the request; null when the request was handed to the dispatcher directly,
    /// not received through an <see cref="Dispatch.RpcResponder"/> (which every server and endpoint uses).</summary>
    public RpcProtocol? Protocol { get; }

    /// <summary>The connection the request came over when it can carry calls back to the caller (TCP, named pipes,
    /// WebSocket, ZeroMQ DEALER, in memory, an <see cref="RpcConnection"/> of one's own); null over request/reply
    /// transports. The same as <see cref="RpcConnection.Of"/>.</summary>
    public RpcConnection? Connection { get; }

    /// <summary>The address of the peer that sent the request where the transport knows it (TCP, WebSocket and HTTP:
    /// an <see cref="IPEndPoint"/>); null otherwise (named pipes, in memory, ZeroMQ, RabbitMQ, CGI).</summary>
    public EndPoint? RemoteEndPoint => (TransportContext as IRpcInboundContext)?.RemoteEndPoint;

    /// <summary>The call's token, the one a <see cref="System.Threading.CancellationToken"/> parameter gets.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// The context the transport gave the message (<see cref="RpcInboundMessage.Context"/>, the one a
    /// <see cref="Dispatch.RpcTrace"/> sees), or null. Opaque but for what the transport's package reads from it:
    /// <c>GetHttpContext()</c> in TinyRpc.AspNetCore, <c>GetBasicProperties()</c> in TinyRpc.RabbitMQ.
    /// </summary>
    public object? TransportContext { get; }
}
