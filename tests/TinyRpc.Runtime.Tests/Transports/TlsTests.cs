using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using TinyRpc.Client;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

public sealed class TlsTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly X509Certificate2 _server = TestCertificates.Create("tinyrpc test server");
    private readonly X509Certificate2 _client = TestCertificates.Create("tinyrpc test client");
    private readonly X509Certificate2 _stranger = TestCertificates.Create("someone else");

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
        _stranger.Dispose();
    }

    private static IPEndPoint AnyLoopbackPort => new(IPAddress.Loopback, 0);

    private SslClientAuthenticationOptions PinningServer(X509Certificate2? clientCertificate = null) => new()
    {
        RemoteCertificateValidationCallback = TestCertificates.Pin(_server),
        ClientCertificates = clientCertificate is null ? null : [clientCertificate],
    };

    private static Task ServeAsync(TcpServerTransport transport, CancellationToken stop)
        => new RpcServer(transport, new JsonRpcProtocol(), ClientServerTests.CreateDispatcher()).ServeForeverAsync(stop);

    private static async Task AssertServedAsync(int port, SslClientAuthenticationOptions tls, MessageFraming framing = MessageFraming.ContentLength)
    {
        await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, tls, framing).WaitAsync(Limit));
        Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc").WaitAsync(Limit));
    }

    // Under TLS 1.3 the client finishes its handshake before the server has checked the client's certificate, so a
    // refusal shows either in the connect or in the first call (the server closes the connection instead of reading).
    private static async Task AssertRefusedAsync(int port, SslClientAuthenticationOptions tls)
    {
        StreamClientTransport transport;
        try
        {
            transport = await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, tls).WaitAsync(Limit);
        }
        catch (RpcTransportException)
        {
            return;
        }

        await using var client = new RpcClient(new JsonRpcProtocol(), transport);
        await Assert.ThrowsAnyAsync<RpcTransportException>(() => client.CallAsync<string>("reverse_string", "abc").WaitAsync(Limit));
    }

    // The server has closed the connection: the peer reads the end of the stream, or a reset.
    private static async Task AssertClosedByServerAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer).AsTask().WaitAsync(Limit) > 0)
            {
                // a TLS alert may come first
            }
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData(MessageFraming.ContentLength)]
    [InlineData(MessageFraming.NewlineDelimited)]
    public async Task Tls_round_trip_with_many_calls_outstanding(MessageFraming framing)
    {
        await using var transport = new TcpServerTransport(AnyLoopbackPort, new SslServerAuthenticationOptions { ServerCertificate = _server }, framing);
        using var stop = new CancellationTokenSource(Limit);
        Task serving = ServeAsync(transport, stop.Token);
        int port = transport.LocalEndPoint.Port;

        int[][] all = await Task.WhenAll(Enumerable.Range(0, 4).Select(async c =>
        {
            await using var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, PinningServer(), framing));
            return await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.CallAsync<int>("subtract", c * 1000 + i, 0)));
        })).WaitAsync(Limit);
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(Enumerable.Range(c * 1000, 200), all[c]);
        }

        await AssertServedAsync(port, PinningServer(), framing);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Client_refuses_a_server_whose_certificate_is_not_the_pinned_one()
    {
        await using var transport = new TcpServerTransport(AnyLoopbackPort, new SslServerAuthenticationOptions { ServerCertificate = _stranger });
        using var stop = new CancellationTokenSource(Limit);
        Task serving = ServeAsync(transport, stop.Token);

        var error = await Assert.ThrowsAsync<RpcTransportException>(
            () => StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port, PinningServer()).WaitAsync(Limit));
        Assert.Contains("TLS handshake", error.Message, StringComparison.Ordinal);
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Mutual_tls_serves_the_known_client_and_closes_only_the_connections_of_others()
    {
        var seen = new ConcurrentQueue<byte[]>();
        RemoteCertificateValidationCallback pinClient = TestCertificates.Pin(_client);
        var tls = new SslServerAuthenticationOptions
        {
            ServerCertificate = _server,
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                if (certificate is not null)
                {
                    seen.Enqueue(certificate.GetRawCertData());
                }

                return pinClient(sender, certificate, chain, errors);
            },
        };
        await using var transport = new TcpServerTransport(AnyLoopbackPort, tls);
        using var stop = new CancellationTokenSource(Limit);
        Task serving = ServeAsync(transport, stop.Token);
        int port = transport.LocalEndPoint.Port;

        await AssertServedAsync(port, PinningServer(_client));
        Assert.Contains(seen, raw => raw.AsSpan().SequenceEqual(_client.RawData)); // the server saw the client's certificate

        await AssertRefusedAsync(port, PinningServer(clientCertificate: null));
        await AssertRefusedAsync(port, PinningServer(_stranger));

        // The known client is still served, on its earlier connection as on a new one.
        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port, PinningServer(_client))))
        {
            Assert.Equal(3, await client.CallAsync<int>("subtract", 5, 2).WaitAsync(Limit));
            await AssertRefusedAsync(port, PinningServer(_stranger));
            Assert.Equal(4, await client.CallAsync<int>("subtract", 6, 2).WaitAsync(Limit));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Plain_tcp_client_on_a_tls_server_is_closed_and_the_server_goes_on()
    {
        await using var transport = new TcpServerTransport(AnyLoopbackPort, new SslServerAuthenticationOptions { ServerCertificate = _server });
        using var stop = new CancellationTokenSource(Limit);
        Task serving = ServeAsync(transport, stop.Token);
        int port = transport.LocalEndPoint.Port;

        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync("127.0.0.1", port);
            await raw.GetStream().WriteAsync("Content-Length: 52\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,2],\"id\":1}"u8.ToArray());
            await AssertClosedByServerAsync(raw.GetStream());
        }

        await AssertServedAsync(port, PinningServer());
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Tls_client_on_a_plain_tcp_server_is_bounded_by_its_cancellation_token()
    {
        // A plain server reads the client's hello as the start of a frame and waits for the rest, and the client waits
        // for the server's hello: only the client's token (or the server's framing limits) ends that.
        await using TcpServerTransport transport = TcpServerTransport.Loopback();
        using var stop = new CancellationTokenSource(Limit);
        Task serving = ServeAsync(transport, stop.Token);

        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port, PinningServer(), cancellationToken: giveUp.Token).WaitAsync(Limit));

        await using (var client = new RpcClient(new JsonRpcProtocol(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port)))
        {
            Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc").WaitAsync(Limit));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_handshake_is_closed_after_the_timeout_and_holds_up_no_one()
    {
        await using var transport = new TcpServerTransport(AnyLoopbackPort, new SslServerAuthenticationOptions { ServerCertificate = _server })
        {
            TlsHandshakeTimeout = TimeSpan.FromSeconds(1),
        };
        using var stop = new CancellationTokenSource(Limit);
        Task serving = ServeAsync(transport, stop.Token);
        int port = transport.LocalEndPoint.Port;

        using var silent = new TcpClient();
        await silent.ConnectAsync("127.0.0.1", port);
        using var halfway = new TcpClient();
        await halfway.ConnectAsync("127.0.0.1", port);
        await halfway.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x40 }); // a TLS record header, and no record

        // Others are served while those two wait, and the two are closed by the server, not by the test.
        await AssertServedAsync(port, PinningServer());
        await AssertClosedByServerAsync(silent.GetStream());
        await AssertClosedByServerAsync(halfway.GetStream());
        await AssertServedAsync(port, PinningServer());

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Handshakes_run_apart_from_accepting_so_a_waiting_one_holds_up_no_one()
    {
        await using var transport = new TcpServerTransport(AnyLoopbackPort, new SslServerAuthenticationOptions { ServerCertificate = _server })
        {
            TlsHandshakeTimeout = Timeout.InfiniteTimeSpan,
        };
        using var stop = new CancellationTokenSource(Limit);
        Task serving = ServeAsync(transport, stop.Token);
        int port = transport.LocalEndPoint.Port;

        using (var silent = new TcpClient())
        {
            await silent.ConnectAsync("127.0.0.1", port);
            await AssertServedAsync(port, PinningServer());
        }

        await AssertServedAsync(port, PinningServer());
        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task Tls_options_without_a_server_certificate_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TcpServerTransport(AnyLoopbackPort, new SslServerAuthenticationOptions()));
        await using var transport = new TcpServerTransport(AnyLoopbackPort, new SslServerAuthenticationOptions { ServerCertificate = _server });
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.TlsHandshakeTimeout = TimeSpan.Zero);
        transport.TlsHandshakeTimeout = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, transport.TlsHandshakeTimeout);
    }
}
