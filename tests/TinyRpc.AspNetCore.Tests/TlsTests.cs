using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Tests.Transports;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>HTTP and WebSocket over TLS: Kestrel on loopback with a self-signed certificate, which the clients pin.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly X509Certificate2 _certificate = TestCertificates.Create("tinyrpc test server");
    private readonly X509Certificate2 _stranger = TestCertificates.Create("someone else");

    public void Dispose()
    {
        _certificate.Dispose();
        _stranger.Dispose();
    }

    private Task<KestrelHost> StartAsync() => KestrelHost.StartAsync(app =>
    {
        app.UseWebSockets();
        app.MapTinyRpc("/rpc", TestService.CreateDispatcher(new TestService()), new JsonRpcProtocol());
        app.MapTinyRpcWebSocket("/rpc-ws", TestService.CreateDispatcher(new TestService()), new JsonRpcProtocol());
    }, certificate: _certificate);

    private static HttpClient Pinning(X509Certificate2 pinned) => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = TestCertificates.Pin(pinned) },
    })
    {
        Timeout = KestrelHost.Limit,
    };

    [Fact]
    public async Task Http_post_over_https()
    {
        await using KestrelHost host = await StartAsync();
        Assert.Equal("https", host.BaseAddress.Scheme);
        using var transport = new HttpPostClientTransport(Pinning(_certificate), host.Http("/rpc"), ownsClient: true);
        await using var client = new RpcClient(new JsonRpcProtocol(), transport);

        Assert.Equal(5, await client.CallAsync<int>("add", 2, 3));
        int[] results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.CallAsync<int>("add", i, 1)));
        Assert.Equal(Enumerable.Range(1, 50), results);

        // A client that pins another certificate refuses the server.
        using var refusing = new HttpPostClientTransport(Pinning(_stranger), host.Http("/rpc"), ownsClient: true);
        await using var refused = new RpcClient(new JsonRpcProtocol(), refusing);
        await Assert.ThrowsAsync<RpcTransportException>(() => refused.CallAsync<int>("add", 2, 3));
    }

    [Fact]
    public async Task WebSocket_over_wss()
    {
        await using KestrelHost host = await StartAsync();
        Uri uri = host.Ws("/rpc-ws");
        Assert.Equal("wss", uri.Scheme);
        await using WebSocketClientTransport socket = await WebSocketClientTransport.ConnectAsync(uri,
            configure: options => options.RemoteCertificateValidationCallback = TestCertificates.Pin(_certificate));
        await using var client = new RpcClient(new JsonRpcProtocol(), socket);
        int[] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.CallAsync<int>("add", i, 1)));
        Assert.Equal(Enumerable.Range(1, 100), results);

        await Assert.ThrowsAsync<RpcTransportException>(() => WebSocketClientTransport.ConnectAsync(uri,
            configure: options => options.RemoteCertificateValidationCallback = TestCertificates.Pin(_stranger)));
    }
}
