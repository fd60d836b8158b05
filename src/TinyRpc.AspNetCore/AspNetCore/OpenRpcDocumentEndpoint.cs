using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TinyRpc.Dispatch;

namespace TinyRpc.AspNetCore;

/// <summary>Answers GET with a dispatcher's OpenRPC document (<see cref="RpcDispatcher.GetOpenRpcDocumentUtf8"/>).</summary>
internal sealed class OpenRpcDocumentEndpoint
{
    private const string AllowedMethods = "GET, HEAD, OPTIONS";

    private readonly RpcDispatcher _dispatcher;
    private readonly string? _allowedOrigin;
    private readonly string _preflightMaxAge;

    public OpenRpcDocumentEndpoint(RpcDispatcher dispatcher, RpcHttpOptions? options)
    {
        _dispatcher = dispatcher;
        options ??= new RpcHttpOptions();
        _allowedOrigin = RpcHttpHandler.AllowedOrigin(options);
        _preflightMaxAge = ((long)options.PreflightMaxAge.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary><c>/rpc</c> gives <c>/rpc/openrpc.json</c>; <c>/</c> gives <c>/openrpc.json</c>.</summary>
    public static string PatternFor(string rpcPattern) => rpcPattern.TrimEnd('/') + "/" + RpcHttpOptions.OpenRpcDocumentName;

    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        bool corsAllowed = AddCorsHeaders(context);
        if (HttpMethods.IsOptions(request.Method))
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            response.Headers.Allow = AllowedMethods;
            if (corsAllowed)
            {
                response.Headers.AccessControlAllowMethods = AllowedMethods;
                response.Headers.AccessControlMaxAge = _preflightMaxAge;
            }

            return;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = AllowedMethods;
            await RpcHttpHandler.RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, "Only GET is supported.").ConfigureAwait(false);
            return;
        }

        ReadOnlyMemory<byte> document = _dispatcher.GetOpenRpcDocumentUtf8();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = document.Length;

        // Registrations may change what is served while the application runs.
        response.Headers.CacheControl = "no-cache";
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        try
        {
            await response.Body.WriteAsync(document, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away.
        }
    }

    private bool AddCorsHeaders(HttpContext context) => RpcHttpHandler.AddCorsHeaders(context, _allowedOrigin);
}

/// <summary>Applies each convention to every endpoint of a group mapped together.</summary>
internal sealed class CompositeEndpointConventionBuilder(IEndpointConventionBuilder[] builders) : IEndpointConventionBuilder
{
    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (IEndpointConventionBuilder builder in builders)
        {
            builder.Add(convention);
        }
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (IEndpointConventionBuilder builder in builders)
        {
            builder.Finally(finallyConvention);
        }
    }
}
