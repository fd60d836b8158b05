using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace TinyRpc.Transports;

/// <summary>
/// A server transport that listens for TCP connections carrying framed messages, in plain TCP or over TLS
/// (the constructor taking <see cref="SslServerAuthenticationOptions"/>).
/// </summary>
public sealed partial class TcpServerTransport : ConnectionServerTransport
{
    private readonly TcpListener _listener;
    private readonly SslServerAuthenticationOptions? _tls;
    private TimeSpan _tlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Listens on <paramref name="endpoint"/> (port 0 picks a free port; see <see cref="LocalEndPoint"/>).</summary>
    public TcpServerTransport(IPEndPoint endpoint, MessageFraming framing = MessageFraming.ContentLength, int maxMessageSize = FramedConnection.DefaultMaxMessageSize)
        : base(framing, maxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _listener = new TcpListener(endpoint);
        _listener.Start();
    }

    /// <summary>
    /// Listens on <paramref name="endpoint"/> and speaks TLS: each accepted connection is authenticated with
    /// <paramref name="tls"/> before its first message is read. A connection whose handshake fails or does not finish
    /// within <see cref="TlsHandshakeTimeout"/> is closed; the others are not affected.
    /// </summary>
    /// <param name="endpoint">The address and port to listen on (port 0 picks a free port).</param>
    /// <param name="tls">
    /// The server's TLS options, used for every connection: the certificate (<see cref="SslServerAuthenticationOptions.ServerCertificate"/>,
    /// <see cref="SslServerAuthenticationOptions.ServerCertificateContext"/> or <see cref="SslServerAuthenticationOptions.ServerCertificateSelectionCallback"/>,
    /// with its private key), and for mutual TLS <see cref="SslServerAuthenticationOptions.ClientCertificateRequired"/> with a
    /// <see cref="SslServerAuthenticationOptions.RemoteCertificateValidationCallback"/> that decides which client certificates are accepted.
    /// </param>
    /// <param name="framing">The framing of every connection.</param>
    /// <param name="maxMessageSize">The largest message read or sent, in bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="tls"/> names no server certificate.</exception>
    public TcpServerTransport(IPEndPoint endpoint, SslServerAuthenticationOptions tls, MessageFraming framing = MessageFraming.ContentLength,
        int maxMessageSize = FramedConnection.DefaultMaxMessageSize)
        : base(framing, maxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _tls = CheckTls(tls);
        _listener = new TcpListener(endpoint);
        _listener.Start();
    }

    /// <summary>Listens on 127.0.0.1 at <paramref name="port"/>.</summary>
    public static TcpServerTransport Loopback(int port = 0, MessageFraming framing = MessageFraming.ContentLength, int maxMessageSize = FramedConnection.DefaultMaxMessageSize)
        => new(new IPEndPoint(IPAddress.Loopback, port), framing, maxMessageSize);

    /// <summary>The address and port listened on.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>
    /// How long an accepted connection may take to finish its TLS handshake (10 seconds by default) before it is
    /// closed, so that a peer that connects and never finishes cannot hold its connection for ever. Unused
    /// without TLS. Applies to connections accepted after it is set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive, and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan TlsHandshakeTimeout
    {
        get => _tlsHandshakeTimeout;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The handshake timeout must be positive or infinite.");
            }

            _tlsHandshakeTimeout = value;
        }
    }

    /// <inheritdoc/>
    private protected override TimeSpan? HandshakeTimeout => _tls is null ? null : _tlsHandshakeTimeout;

    /// <inheritdoc/>
    protected override async Task<Stream?> AcceptAsync(CancellationToken cancellationToken)
    {
        TcpClient client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
        client.NoDelay = true;
        ApplyKeepAlive(client.Client);
        return client.GetStream();
    }

    /// <inheritdoc/>
    private protected override async Task<Stream> HandshakeAsync(Stream stream, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(_tls!, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    protected override void StopListening() => _listener.Stop();

    private static SslServerAuthenticationOptions CheckTls(SslServerAuthenticationOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        if (tls.ServerCertificate is null && tls.ServerCertificateContext is null && tls.ServerCertificateSelectionCallback is null)
        {
            throw new ArgumentException("The TLS options name no server certificate.", nameof(tls));
        }

        return tls;
    }
}
