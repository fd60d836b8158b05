using System.Net.Http.Headers;
using System.Text;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>Raw HTTP requests for the tests.</summary>
internal static class TestHttp
{
    public static HttpClient NewClient() => new() { Timeout = KestrelHost.Limit };

    /// <summary>A body with the given content type, or none.</summary>
    public static ByteArrayContent Json(string text, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return content;
    }
}
