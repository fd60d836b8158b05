using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace TinyRpc.Transports;

/// <summary>
/// The HTTP rules shared by <see cref="HttpServerTransport"/> and the dispatcher endpoint: POST only, OPTIONS
/// preflight, content type, body size, CORS, 204 for notifications.
/// </summary>
internal sealed class RpcHttpHandler
{
    private const string AllowedMethods = "POST, OPTIONS";

    private readonly string _replyContentType;
    private readonly HttpContentTypePolicy _contentTypes;
    private readonly int _maxContentLength;
    private readonly string? _allowedOrigin;
    private readonly string _preflightMaxAge;

    public RpcHttpHandler(string contentType, RpcHttpOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        options ??= new RpcHttpOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxContentLength, 1);
        _replyContentType = contentType;
        _contentTypes = new HttpContentTypePolicy(contentType, options.AdditionalContentTypes);
        _maxContentLength = options.MaxContentLength;
        _allowedOrigin = AllowedOrigin(options);
        _preflightMaxAge = ((long)options.PreflightMaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Answers one request; <paramref name="process"/> turns a request body into a reply (empty: a notification).</summary>
    public async Task HandleAsync(HttpContext context, Func<HttpContext, ReadOnlyMemory<byte>, ValueTask<ReadOnlyMemory<byte>>> process)
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
                string? requested = request.Headers.AccessControlRequestHeaders;
                response.Headers.AccessControlAllowHeaders = string.IsNullOrWhiteSpace(requested) ? "Content-Type" : requested;
                response.Headers.AccessControlMaxAge = _preflightMaxAge;
            }

            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            response.Headers.Allow = AllowedMethods;
            await RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, "Only POST is supported.").ConfigureAwait(false);
            return;
        }

        string? contentType = request.ContentType;
        if (!_contentTypes.IsAccepted(contentType))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, _contentTypes.Refusal(contentType!)).ConfigureAwait(false);
            return;
        }

        byte[]? body;
        try
        {
            body = await ReadBodyAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            if (!response.HasStarted)
            {
                await RefuseAsync(context, e.StatusCode, "The request body could not be read: " + e.Message).ConfigureAwait(false);
            }

            return;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away in the middle of its request: nobody is left to answer.
            return;
        }

        if (body is null)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, $"At most {_maxContentLength} bytes are accepted.").ConfigureAwait(false);
            return;
        }

        ReadOnlyMemory<byte> reply;
        try
        {
            reply = await process(context, body).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "The RPC server is not running.").ConfigureAwait(false);
            return;
        }

        try
        {
            if (reply.IsEmpty)
            {
                response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = _replyContentType;
            response.ContentLength = reply.Length;
            await response.Body.WriteAsync(reply, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away before its reply was written.
        }
    }

    private bool AddCorsHeaders(HttpContext context) => AddCorsHeaders(context, _allowedOrigin);

    /// <summary>The origin of <see cref="RpcHttpOptions.AllowedOrigin"/>, or null when CORS is off.</summary>
    internal static string? AllowedOrigin(RpcHttpOptions options)
        => string.IsNullOrWhiteSpace(options.AllowedOrigin) ? null : options.AllowedOrigin.Trim();

    /// <summary>Adds the CORS headers for <paramref name="allowedOrigin"/>; true when the request's origin is allowed.</summary>
    internal static bool AddCorsHeaders(HttpContext context, string? allowedOrigin)
    {
        if (allowedOrigin is null)
        {
            return false;
        }

        IHeaderDictionary headers = context.Response.Headers;
        if (allowedOrigin == "*")
        {
            headers.AccessControlAllowOrigin = "*";
            return true;
        }

        headers.Vary = "Origin";
        string? origin = context.Request.Headers.Origin;
        if (origin is not null && string.Equals(origin, allowedOrigin, StringComparison.OrdinalIgnoreCase))
        {
            // The browser compares this header with its Origin exactly: send back what it sent.
            headers.AccessControlAllowOrigin = origin;
            return true;
        }

        return false;
    }

    /// <summary>Reads the whole body, or returns null as soon as it is longer than the limit.</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        long? declared = context.Request.ContentLength;
        if (declared > _maxContentLength)
        {
            return null;
        }

        // Kestrel's own limit (30 MB by default) must not cut in before ours; we stop reading one byte past ours.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _maxContentLength + 1L;
        }

        Stream input = context.Request.Body;
        if (declared is long length)
        {
            // The server holds the client to its Content-Length (a shorter body is a bad request), so the body
            // is read straight into an array of that size.
            byte[] body = length == 0 ? [] : new byte[length];
            int filled = 0;
            while (filled < body.Length)
            {
                int got = await input.ReadAsync(body.AsMemory(filled), context.RequestAborted).ConfigureAwait(false);
                if (got == 0)
                {
                    throw new BadHttpRequestException("The request body ended before its Content-Length.", StatusCodes.Status400BadRequest);
                }

                filled += got;
            }

            return body;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            int room = Math.Min(16 * 1024, _maxContentLength + 1 - buffer.WrittenCount);
            int read = await input.ReadAsync(buffer.GetMemory(room)[..room], context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > _maxContentLength)
            {
                return null;
            }
        }
    }

    /// <summary>Answers with <paramref name="status"/> and a short plain-text explanation.</summary>
    internal static async Task RefuseAsync(HttpContext context, int status, string text)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        byte[] body = Encoding.UTF8.GetBytes(text + "\n");
        response.ContentLength = body.Length;
        try
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away.
        }
    }
}
