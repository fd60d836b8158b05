using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace TinyRpc.AspNetCore.Explorer;

/// <summary>
/// The explorer page and its two assets, read once from the assembly's embedded resources. The page is a template:
/// the only values put into it are the asset base path and the two configured URLs, HTML-encoded; everything the
/// OpenRPC document says is put into the page by the script, as text.
/// </summary>
internal static class RpcExplorerEndpoints
{
    public const string DocumentSuffix = "/openrpc.json";

    private const string ScriptName = "explorer.js";
    private const string StyleName = "explorer.css";

    private static readonly Lazy<string> PageTemplate = new(() => Encoding.UTF8.GetString(Load("explorer.html")));
    private static readonly Lazy<byte[]> Script = new(() => Load(ScriptName));
    private static readonly Lazy<byte[]> Style = new(() => Load(StyleName));

    public static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints, string pattern, string rpcUrl, string? documentUrl)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(rpcUrl);
        if (RoutePatternFactory.Parse(pattern).Parameters.Count > 0)
        {
            throw new ArgumentException($"The explorer's pattern '{pattern}' must be a literal path, without route parameters.", nameof(pattern));
        }

        CheckUrl(rpcUrl, nameof(rpcUrl));
        documentUrl ??= rpcUrl.TrimEnd('/') + DocumentSuffix;
        CheckUrl(documentUrl, nameof(documentUrl));

        string trimmed = pattern.Trim('/');
        string connectSources = string.Join(" ", new[] { rpcUrl, documentUrl }.Select(OriginOf).Where(o => o is not null).Distinct(StringComparer.Ordinal).Prepend("'self'"));
        string policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src " + connectSources
            + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

        RouteGroupBuilder group = endpoints.MapGroup("/" + trimmed);
        RequestDelegate page = context => ServePageAsync(context, rpcUrl, documentUrl, policy);
        RequestDelegate script = context => ServeAssetAsync(context, Script.Value, "text/javascript; charset=utf-8");
        RequestDelegate style = context => ServeAssetAsync(context, Style.Value, "text/css; charset=utf-8");
        group.MapGet("", page);
        group.MapGet("/" + ScriptName, script);
        group.MapGet("/" + StyleName, style);
        return group;
    }

    /// <summary>Root-relative or absolute http(s) only: a relative URL would mean something else at <c>/x</c> and <c>/x/</c>.</summary>
    private static void CheckUrl(string url, string name)
    {
        if (IsRootRelative(url))
        {
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' must be a path starting with '/' or an absolute http or https URL.", name);
        }
    }

    private static bool IsRootRelative(string url) => url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal);

    /// <summary>Scheme, host and port only: a CSP source cannot carry user information.</summary>
    private static string? OriginOf(string url)
    {
        if (IsRootRelative(url))
        {
            return null;
        }

        var uri = new Uri(url);
        return uri.Scheme + "://" + uri.Authority;
    }

    /// <summary>A root-relative URL is taken inside the application, as the endpoints it names are mapped there.</summary>
    private static string Resolve(HttpContext context, string url) => IsRootRelative(url) ? context.Request.PathBase + url : url;

    private static Task ServePageAsync(HttpContext context, string rpcUrl, string documentUrl, string policy)
    {
        // The assets are below the path the page was asked at, which takes in the path base and any route group
        // prefix. A page at the root gives "", so that they are "/explorer.js", never "//explorer.js" (another host).
        string assets = (context.Request.PathBase + context.Request.Path).ToUriComponent().TrimEnd('/');
        string body = Fill(PageTemplate.Value, token => token switch
        {
            "base" => assets,
            "rpc-url" => Resolve(context, rpcUrl),
            "document-url" => Resolve(context, documentUrl),
            _ => throw new InvalidOperationException($"The explorer page names an unknown value '{token}'."),
        });
        HttpResponse response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = policy;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return response.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Replaces each <c>{{name}}</c> in one pass, so that a value containing braces is never read as a token.</summary>
    private static string Fill(string template, Func<string, string> value)
    {
        var page = new StringBuilder(template.Length + 256);
        int start = 0;
        while (template.IndexOf("{{", start, StringComparison.Ordinal) is int open and >= 0)
        {
            int close = template.IndexOf("}}", open, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            page.Append(template, start, open - start).Append(HtmlEncoder.Default.Encode(value(template[(open + 2)..close])));
            start = close + 2;
        }

        return page.Append(template, start, template.Length - start).ToString();
    }

    private static Task ServeAssetAsync(HttpContext context, byte[] content, string contentType)
    {
        HttpResponse response = context.Response;
        response.ContentType = contentType;
        response.ContentLength = content.Length;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        return response.Body.WriteAsync(content, context.RequestAborted).AsTask();
    }

    private static byte[] Load(string name)
    {
        using Stream stream = typeof(RpcExplorerEndpoints).Assembly.GetManifestResourceStream("TinyRpc.AspNetCore.Explorer." + name)
            ?? throw new InvalidOperationException($"The explorer's resource '{name}' is missing from {typeof(RpcExplorerEndpoints).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
