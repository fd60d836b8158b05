using System.Net;
using Microsoft.AspNetCore.Builder;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.AspNetCore.Tests.Explorer;

/// <summary>What <c>MapTinyRpcExplorer</c> serves, checked over HTTP on Kestrel: the page, its assets, its headers.</summary>
public sealed class ExplorerEndpointTests
{
    [Fact]
    public async Task Page_and_assets_are_served_from_the_assembly()
    {
        await using KestrelHost host = await ExplorerHost.StartAsync(ExplorerHost.ShopDocument);
        using HttpClient http = TestHttp.NewClient();

        foreach (string path in new[] { "/rpc/explorer", "/rpc/explorer/" })
        {
            using HttpResponseMessage page = await http.GetAsync(host.Http(path));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Equal("utf-8", page.Content.Headers.ContentType?.CharSet);
            string html = await page.Content.ReadAsStringAsync();
            // Absolute asset paths: the page works with and without the trailing slash.
            Assert.Contains("""<script src="/rpc/explorer/explorer.js" defer></script>""", html, StringComparison.Ordinal);
            Assert.Contains("""<link rel="stylesheet" href="/rpc/explorer/explorer.css">""", html, StringComparison.Ordinal);
            Assert.Contains("""data-rpc-url="/rpc" data-document-url="/rpc/openrpc.json""", html, StringComparison.Ordinal);
            Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        }

        using HttpResponseMessage script = await http.GetAsync(host.Http("/rpc/explorer/explorer.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(script.Headers.GetValues("X-Content-Type-Options")));
        string js = await script.Content.ReadAsStringAsync();
        Assert.Contains("\"use strict\"", js, StringComparison.Ordinal);
        foreach (string markupSink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function" })
        {
            Assert.DoesNotContain(markupSink, js, StringComparison.Ordinal);
        }

        using HttpResponseMessage style = await http.GetAsync(host.Http("/rpc/explorer/explorer.css"));
        Assert.Equal(HttpStatusCode.OK, style.StatusCode);
        Assert.Equal("text/css", style.Content.Headers.ContentType?.MediaType);

        // The RPC endpoint beside it is untouched.
        using HttpResponseMessage call = await http.PostAsync(host.Http("/rpc"), TestHttp.Json("""{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"""));
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":5}""", await call.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Page_carries_a_policy_that_allows_only_its_own_script_and_style()
    {
        await using KestrelHost host = await ExplorerHost.StartAsync(ExplorerHost.ShopDocument);
        using HttpClient http = TestHttp.NewClient();
        using HttpResponseMessage page = await http.GetAsync(host.Http("/rpc/explorer"));

        string policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Dictionary<string, string> directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.Split(' ')[0].Length)..].Trim());
        Assert.Equal("'none'", directives["default-src"]);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'self'", directives["style-src"]);
        Assert.Equal("'self'", directives["connect-src"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["base-uri"]);
        Assert.Equal("'none'", directives["form-action"]);
        Assert.Equal("'script'", directives["require-trusted-types-for"]);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Nothing_is_served_unless_the_explorer_is_mapped()
    {
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(new ShopService());
            app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol());
        });
        using HttpClient http = TestHttp.NewClient();
        foreach (string path in new[] { "/rpc/explorer", "/rpc/explorer/explorer.js", "/rpc/openrpc.json" })
        {
            using HttpResponseMessage response = await http.GetAsync(host.Http(path));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Urls_are_encoded_into_the_page_and_follow_the_path_base()
    {
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            app.UsePathBase("/app");
            app.UseRouting();
            app.MapTinyRpcExplorer("/tools/rpc", "/rpc");
            app.MapTinyRpcExplorer("/remote", "https://user:secret@api.example:8443/rpc", "https://docs.example/contract.json?v=1&name=\"x\"");
        });
        using HttpClient http = TestHttp.NewClient();

        string local = await http.GetStringAsync(host.Http("/app/tools/rpc"));
        Assert.Contains("""<script src="/app/tools/rpc/explorer.js" defer></script>""", local, StringComparison.Ordinal);
        Assert.Contains("""data-rpc-url="/app/rpc" data-document-url="/app/rpc/openrpc.json""", local, StringComparison.Ordinal);

        using HttpResponseMessage remote = await http.GetAsync(host.Http("/app/remote"));
        string html = await remote.Content.ReadAsStringAsync();
        Assert.Contains("""data-rpc-url="https://user:secret@api.example:8443/rpc" data-document-url="https://docs.example/contract.json?v=1&amp;name=&quot;x&quot;""", html, StringComparison.Ordinal);
        string policy = Assert.Single(remote.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("connect-src 'self' https://api.example:8443 https://docs.example;", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_at_the_root_refers_to_its_assets_on_the_same_host()
    {
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpcExplorer("/", "/rpc"));
        using HttpClient http = TestHttp.NewClient();
        string html = await http.GetStringAsync(host.Http("/"));
        Assert.Contains("""<script src="/explorer.js" defer></script>""", html, StringComparison.Ordinal);
        using HttpResponseMessage script = await http.GetAsync(host.Http("/explorer.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Page_in_a_route_group_refers_to_its_assets_under_the_group()
    {
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapGroup("/api").MapTinyRpcExplorer("/explorer", "/api/rpc"));
        using HttpClient http = TestHttp.NewClient();
        string html = await http.GetStringAsync(host.Http("/api/explorer/"));
        Assert.Contains("""<script src="/api/explorer/explorer.js" defer></script>""", html, StringComparison.Ordinal);
        Assert.Contains("""data-rpc-url="/api/rpc" data-document-url="/api/rpc/openrpc.json""", html, StringComparison.Ordinal);
        using HttpResponseMessage script = await http.GetAsync(host.Http("/api/explorer/explorer.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Theory]
    [InlineData("/rpc/{id}", "/rpc", null, "pattern")]
    [InlineData("/explorer", "rpc", null, "rpcUrl")]
    [InlineData("/explorer", "//evil.example/rpc", null, "rpcUrl")]
    [InlineData("/explorer", "ftp://files.example/rpc", null, "rpcUrl")]
    [InlineData("/explorer", "/rpc", "javascript:alert(1)", "documentUrl")]
    [InlineData("/explorer", "/rpc", "openrpc.json", "documentUrl")]
    public async Task Bad_arguments_are_refused_when_mapping(string pattern, string rpcUrl, string? documentUrl, string parameter)
    {
        ArgumentException? error = null;
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
            error = Assert.ThrowsAny<ArgumentException>(() => app.MapTinyRpcExplorer(pattern, rpcUrl, documentUrl)));
        Assert.Equal(parameter, error?.ParamName);
    }
}
