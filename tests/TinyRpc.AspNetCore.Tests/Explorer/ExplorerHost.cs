using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.AspNetCore.Tests.Explorer;

/// <summary>
/// Kestrel with what the explorer needs: the shop's methods behind <c>MapTinyRpc("/rpc")</c>, an OpenRPC document
/// served with GET at <c>/rpc/openrpc.json</c> (the explorer's default place for it), and the explorer at <c>/rpc/explorer</c>.
/// </summary>
internal static class ExplorerHost
{
    /// <summary>The hand-written contract of <see cref="ShopService"/> and <see cref="AccountService"/>.</summary>
    public static string ShopDocument => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Explorer", "shop.openrpc.json"));

    public static Task<KestrelHost> StartAsync(string? document, Action<WebApplication>? more = null) => KestrelHost.StartAsync(app =>
    {
        more?.Invoke(app);
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new ShopService());
        dispatcher.RegisterInstance(new AccountService(), "accounts.");
        app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol());
        if (document is not null)
        {
            RequestDelegate serve = context =>
            {
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync(document);
            };
            app.MapGet("/rpc/openrpc.json", serve);
        }

        app.MapTinyRpcExplorer("/rpc/explorer", "/rpc");
    });
}
