using TinyRpc.Dispatch;
using TinyRpc.Protocols;

namespace TinyRpc.Transports;

/// <summary>Settings of TinyRpc's HTTP endpoints (tinyrpc's <c>WsgiServerTransport</c> parameters).</summary>
public sealed class RpcHttpOptions
{
    /// <summary>The default of <see cref="MaxContentLength"/>: 1 MiB.</summary>
    public const int DefaultMaxContentLength = 1024 * 1024;

    /// <summary>
    /// The largest request body accepted, in bytes; a larger one is answered 413 without being read to the end.
    /// tinyrpc's default is 4096; TinyRpc's is <see cref="DefaultMaxContentLength"/>.
    /// </summary>
    public int MaxContentLength { get; set; } = DefaultMaxContentLength;

    /// <summary>
    /// The origin allowed to call from a browser (sent as <c>Access-Control-Allow-Origin</c>), or <c>*</c> for any.
    /// Null by default: unlike tinyrpc, which defaults to <c>*</c>, TinyRpc sends no CORS header unless this is set,
    /// so browsers refuse cross-origin calls.
    /// </summary>
    public string? AllowedOrigin { get; set; }

    /// <summary>How long a browser may cache a preflight answer (<c>Access-Control-Max-Age</c>); ten minutes by default.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Request content types accepted besides the protocol's own (<see cref="RpcProtocol.ContentType"/>), such as
    /// <c>application/x-msgpack</c> or <c>application/json-rpc</c>. A request without a content type is always accepted
    /// (tinyrpc's Python client sends none); any other type is answered 415.
    /// </summary>
    public IList<string> AdditionalContentTypes { get; } = new List<string>();

    /// <summary>The last segment of the route the OpenRPC document is served at: <c>openrpc.json</c>.</summary>
    public const string OpenRpcDocumentName = "openrpc.json";

    /// <summary>
    /// When true, <c>MapTinyRpc(pattern, dispatcher, protocol, options)</c> also answers <c>GET {pattern}/openrpc.json</c>
    /// (<see cref="OpenRpcDocumentName"/>; <c>/rpc</c> gives <c>/rpc/openrpc.json</c>) with the dispatcher's OpenRPC
    /// document (<see cref="RpcDispatcher.GetOpenRpcDocument"/>) as <c>application/json</c>, with the CORS rules of
    /// <see cref="AllowedOrigin"/>; conventions added to the returned builder (authorization, say) apply to both routes.
    /// False by default: the document tells anyone who can reach it every method served. Independent of
    /// <see cref="RpcDispatcher.EnableDiscovery"/>, which answers the <c>rpc.discover</c> call.
    /// </summary>
    public bool ServeOpenRpcDocument { get; set; }
}
