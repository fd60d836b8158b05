using System.Diagnostics;
using System.Net.Http.Headers;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// Sends each message as the body of an HTTP POST and returns the response body (tinyrpc's
/// <c>HttpPostClientTransport</c>). Works with any HTTP server, CGI programs included. Calls may run
/// concurrently.
/// </summary>
public sealed class HttpPostClientTransport : IClientTransport, IDisposable, IServerEndpoint
{
    private readonly HttpClient _http;
    private readonly bool _ownsClient;

    /// <summary>Creates the transport with its own <see cref="HttpClient"/>.</summary>
    public HttpPostClientTransport(Uri endpoint, string contentType = "application/json")
        : this(new HttpClient(), endpoint, contentType, ownsClient: true)
    {
    }

    /// <summary>Creates the transport over an injected <see cref="HttpClient"/> (from IHttpClientFactory, with its handlers and timeout).</summary>
    public HttpPostClientTransport(HttpClient httpClient, Uri endpoint, string contentType = "application/json", bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        _http = httpClient;
        Endpoint = endpoint;
        ContentType = MediaTypeHeaderValue.Parse(contentType);
        _ownsClient = ownsClient;
    }

    /// <summary>The URL posted to.</summary>
    public Uri Endpoint { get; }

    /// <summary>The content type of requests.</summary>
    public MediaTypeHeaderValue ContentType { get; }

    /// <summary>Headers added to every request (authorization, say).</summary>
    public HttpRequestHeaders? DefaultHeaders => _http.DefaultRequestHeaders;

    /// <summary>A per-call timeout on top of the client's own; infinite by default.</summary>
    public TimeSpan Timeout { get; set; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <inheritdoc/>
    /// <exception cref="RpcTransportException">The server is unreachable or answered with a status outside 2xx.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="Timeout"/>.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> SendMessageAsync(ReadOnlyMemory<byte> message, bool expectReply = true, CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource? timeout = Timeout == System.Threading.Timeout.InfiniteTimeSpan ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout?.CancelAfter(Timeout);
        CancellationToken token = timeout?.Token ?? cancellationToken;

        using var content = new ReadOnlyMemoryContent(message);
        content.Headers.ContentType = ContentType;
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        if (Activity.Current is { } current)
        {
            // HttpClient's own handler does this too when it is on, and leaves headers already set alone.
            TraceHeaders.Inject(current, request.Headers);
        }

        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                string detail = await ReadSnippetAsync(response, token).ConfigureAwait(false);
                throw new RpcTransportException($"The server answered {(int)response.StatusCode} {response.ReasonPhrase}{detail}") { StatusCode = response.StatusCode };
            }

            byte[] body = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
            return expectReply ? body : ReadOnlyMemory<byte>.Empty;
        }
        catch (HttpRequestException e)
        {
            throw new RpcTransportException($"POST {Endpoint} failed: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"POST {Endpoint} got no answer in time.", e);
        }
    }

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            text = text.Trim();
            return text.Length == 0 ? "" : ": " + (text.Length > 200 ? text[..200] + "…" : text);
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    string? IServerEndpoint.ServerAddress => Endpoint.Host;

    int IServerEndpoint.ServerPort => Endpoint.Port;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }
}
