namespace TinyRpc.Transports;

/// <summary>
/// The content types an RPC endpoint over HTTP accepts, the same for the ASP.NET Core endpoints and for CGI: the
/// protocol's media type and those configured besides it, compared without parameters and ignoring case. A request
/// without a content type is accepted (tinyrpc's Python client sends none); any other type is refused with 415,
/// including the ones browsers send cross-site without a CORS preflight (<c>text/plain</c>, forms).
/// </summary>
public sealed class HttpContentTypePolicy
{
    private readonly string[] _accepted;

    /// <summary>Accepts <paramref name="contentType"/> (the protocol's) and <paramref name="additionalContentTypes"/>.</summary>
    public HttpContentTypePolicy(string contentType, IEnumerable<string>? additionalContentTypes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        _accepted = [MediaType(contentType), .. (additionalContentTypes ?? []).Select(MediaType)];
    }

    /// <summary>The accepted media types, without parameters.</summary>
    public IReadOnlyList<string> AcceptedMediaTypes => _accepted;

    /// <summary>True when a request with <paramref name="contentType"/> (a header's value, or null when absent) is served.</summary>
    public bool IsAccepted(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        ReadOnlySpan<char> mediaType = contentType.AsSpan();
        int parameters = mediaType.IndexOf(';');
        mediaType = (parameters < 0 ? mediaType : mediaType[..parameters]).Trim();
        foreach (string accepted in _accepted)
        {
            if (mediaType.Equals(accepted, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text of a 415 answer to <paramref name="contentType"/>.</summary>
    public string Refusal(string contentType) => $"Content type '{contentType}' is not accepted; send {string.Join(" or ", _accepted)}.";

    private static string MediaType(string contentType) => contentType.Split(';', 2)[0].Trim();
}
