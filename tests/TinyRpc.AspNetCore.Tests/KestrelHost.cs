using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>A Kestrel server on 127.0.0.1 with a free port, configured by each test.</summary>
internal sealed class KestrelHost : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private KestrelHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public Uri Http(string path) => new(BaseAddress, path);

    public Uri Ws(string path) => new UriBuilder(new Uri(BaseAddress, path)) { Scheme = BaseAddress.Scheme == "https" ? "wss" : "ws" }.Uri;

    /// <summary>Starts the server, over HTTPS with <paramref name="certificate"/> when one is given.</summary>
    public static async Task<KestrelHost> StartAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null, X509Certificate2? certificate = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        map(app);
        using var timeout = new CancellationTokenSource(Limit);
        await app.StartAsync(timeout.Token);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelHost(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await App.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await App.DisposeAsync();
    }
}
