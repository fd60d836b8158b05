using System.Collections;
using System.Globalization;
using System.Text;

namespace TinyRpc.Transports;

/// <summary>
/// A server transport for a program run by a web server through CGI (tinyrpc's <c>CGIServerTransport</c>):
/// one request per process, read from standard input (<c>CONTENT_LENGTH</c> bytes), the reply written to
/// standard output with <c>Status</c> and <c>Content-Type</c> headers.
/// </summary>
/// <remarks>
/// Only POST is served (405 with <c>Allow: POST</c> otherwise). The content type is judged by the
/// <see cref="HttpContentTypePolicy"/> that ASP.NET Core endpoints use too: <see cref="ContentType"/> and
/// <see cref="AdditionalContentTypes"/> are accepted, as is a request without one (tinyrpc's Python client sends
/// none); anything else gets 415. A body over <see cref="MaxContentLength"/>
/// gets 413. A notification is answered <c>Status: 204 No Content</c>, since web servers answer 500 to a CGI
/// program that prints nothing. Every path ends its headers with a blank line.
/// </remarks>
public sealed class CgiServerTransport : IServerTransport
{
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly IDictionary _environment;
    private bool _received;

    /// <summary>Creates the transport over this process's standard streams and environment.</summary>
    public CgiServerTransport(string contentType = "application/json")
        : this(Console.OpenStandardInput(), Console.OpenStandardOutput(), Environment.GetEnvironmentVariables(), contentType)
    {
    }

    /// <summary>Creates the transport over the given streams and CGI environment (for hosts and tests).</summary>
    public CgiServerTransport(Stream input, Stream output, IDictionary environment, string contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(environment);
        _input = input;
        _output = output;
        _environment = environment;
        ContentType = contentType;
    }

    /// <summary>The content type of replies.</summary>
    public string ContentType { get; }

    /// <summary>Media types accepted besides <see cref="ContentType"/>, such as <c>application/json-rpc</c>.</summary>
    public IReadOnlyList<string> AdditionalContentTypes { get; init; } = [];

    /// <summary>The largest request body accepted; larger ones get 413. 1 MiB by default.</summary>
    public int MaxContentLength { get; init; } = 1024 * 1024;

    /// <summary>The HTTP status written for the request, once known (for logs and tests).</summary>
    public int? Status { get; private set; }

    /// <inheritdoc/>
    /// <remarks>Returns the one request of this process, then null. A request that is refused is answered here and yields null.</remarks>
    public async ValueTask<RpcInboundMessage?> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        if (_received)
        {
            return null;
        }

        _received = true;
        string method = Variable("REQUEST_METHOD") ?? "";
        if (!string.Equals(method, "POST", StringComparison.Ordinal))
        {
            await WriteRefusalAsync(405, "Method Not Allowed", "Allow: POST\r\n", "Only POST is supported.", cancellationToken).ConfigureAwait(false);
            return null;
        }

        string? contentType = Variable("CONTENT_TYPE");
        var contentTypes = new HttpContentTypePolicy(ContentType, AdditionalContentTypes);
        if (!contentTypes.IsAccepted(contentType))
        {
            await WriteRefusalAsync(415, "Unsupported Media Type", "", contentTypes.Refusal(contentType!), cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (!int.TryParse(Variable("CONTENT_LENGTH"), NumberStyles.None, CultureInfo.InvariantCulture, out int length))
        {
            length = 0;
        }

        if (length > MaxContentLength)
        {
            await WriteRefusalAsync(413, "Content Too Large", "", $"At most {MaxContentLength} bytes are accepted.", cancellationToken).ConfigureAwait(false);
            return null;
        }

        byte[] body = new byte[length];
        await _input.ReadAtLeastAsync(body, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return new RpcInboundMessage(null, body);
    }

    /// <inheritdoc/>
    public async ValueTask SendReplyAsync(object? context, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (reply.IsEmpty)
        {
            Status = 204;
            await WriteAsync("Status: 204 No Content\r\n\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            return;
        }

        Status = 200;
        string headers = string.Create(CultureInfo.InvariantCulture,
            $"Status: 200 OK\r\nContent-Type: {ContentType}\r\nContent-Length: {reply.Length}\r\n\r\n");
        await WriteAsync(headers, reply, cancellationToken).ConfigureAwait(false);
    }

    private Task WriteRefusalAsync(int status, string reason, string extraHeaders, string text, CancellationToken cancellationToken)
    {
        Status = status;
        byte[] body = Encoding.UTF8.GetBytes(text + "\n");
        string headers = string.Create(CultureInfo.InvariantCulture,
            $"Status: {status} {reason}\r\n{extraHeaders}Content-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\n\r\n");
        return WriteAsync(headers, body, cancellationToken);
    }

    private async Task WriteAsync(string headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await _output.WriteAsync(Encoding.ASCII.GetBytes(headers), cancellationToken).ConfigureAwait(false);
        if (!body.IsEmpty)
        {
            await _output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }

        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private string? Variable(string name) => _environment[name] as string;
}
