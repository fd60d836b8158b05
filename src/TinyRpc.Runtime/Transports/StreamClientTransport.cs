using System.IO.Pipes;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using TinyRpc.Client;
using TinyRpc.Exceptions;

namespace TinyRpc.Transports;

/// <summary>
/// A full-duplex client channel over one framed stream: a TCP connection, a named pipe, a child process's
/// standard streams. Many calls may be outstanding; <see cref="RpcClient"/> matches replies by id.
/// </summary>
public sealed class StreamClientTransport : IMessageChannel, IAsyncDisposable, IServerEndpoint, IReplySizeLimit, IBatchingMessageSender
{
    private readonly FramedConnection _connection;

    // An RpcConnection over this channel answers a call whose reply it could not frame with an error reply instead.
    int IReplySizeLimit.MaxReplySize => _connection.MaxMessageSize;

    /// <summary>Creates the transport over a framed connection.</summary>
    public StreamClientTransport(FramedConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
    }

    /// <summary>Creates the transport over a bidirectional stream.</summary>
    public StreamClientTransport(Stream stream, MessageFraming framing = MessageFraming.ContentLength, int maxMessageSize = FramedConnection.DefaultMaxMessageSize)
        : this(new FramedConnection(stream, framing, maxMessageSize))
    {
    }

    /// <summary>Connects to a TCP server.</summary>
    public static Task<StreamClientTransport> ConnectTcpAsync(string host, int port, MessageFraming framing = MessageFraming.ContentLength,
        int maxMessageSize = FramedConnection.DefaultMaxMessageSize, CancellationToken cancellationToken = default)
        => ConnectTcpAsync(host, port, tls: null, framing, maxMessageSize, cancellationToken);

    /// <summary>
    /// Connects to a TCP server and, when <paramref name="tls"/> is given, authenticates it over TLS before the
    /// first message (a <see cref="SslStream"/> between the socket and the framing).
    /// </summary>
    /// <param name="host">The server's host name or address.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="tls">
    /// The TLS client options, or null for plain TCP. The server's certificate is checked as <see cref="SslStream"/>
    /// does: against the trusted roots and <see cref="SslClientAuthenticationOptions.TargetHost"/>, unless
    /// <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/> decides instead (to pin a
    /// certificate, say). When <see cref="SslClientAuthenticationOptions.TargetHost"/> is empty, <paramref name="host"/>
    /// is used, on a copy of the options (the object passed in is not changed). Client certificates for mutual TLS
    /// go in <see cref="SslClientAuthenticationOptions.ClientCertificates"/> or
    /// <see cref="SslClientAuthenticationOptions.ClientCertificateContext"/>.
    /// </param>
    /// <param name="framing">The framing of the messages.</param>
    /// <param name="maxMessageSize">The largest message read or sent, in bytes.</param>
    /// <param name="cancellationToken">Cancels the connection and the handshake.</param>
    /// <exception cref="RpcTransportException">The server cannot be reached, or the TLS handshake failed (the server's
    /// certificate was refused, or the server refused the client's); the connection is closed.</exception>
    public static async Task<StreamClientTransport> ConnectTcpAsync(string host, int port, SslClientAuthenticationOptions? tls,
        MessageFraming framing = MessageFraming.ContentLength, int maxMessageSize = FramedConnection.DefaultMaxMessageSize,
        CancellationToken cancellationToken = default)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new RpcTransportException($"Cannot connect to {host}:{port}: {e.Message}", e);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        if (tls is null)
        {
            return new StreamClientTransport(client.GetStream(), framing, maxMessageSize) { _host = host, _port = port };
        }

        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(string.IsNullOrEmpty(tls.TargetHost) ? WithTargetHost(tls, host) : tls, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            throw new RpcTransportException($"The TLS handshake with {host}:{port} failed: {e.Message}", e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            throw;
        }

        return new StreamClientTransport(ssl, framing, maxMessageSize) { _host = host, _port = port };
    }

    // Known when this transport made the connection.
    private string? _host;
    private int _port;

    string? IServerEndpoint.ServerAddress => _host;

    int IServerEndpoint.ServerPort => _port;

    private static SslClientAuthenticationOptions WithTargetHost(SslClientAuthenticationOptions tls, string host)
    {
        var copy = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            AllowRenegotiation = tls.AllowRenegotiation,
            AllowTlsResume = tls.AllowTlsResume,
            ApplicationProtocols = tls.ApplicationProtocols,
            CertificateChainPolicy = tls.CertificateChainPolicy,
            CertificateRevocationCheckMode = tls.CertificateRevocationCheckMode,
            CipherSuitesPolicy = tls.CipherSuitesPolicy,
            ClientCertificateContext = tls.ClientCertificateContext,
            ClientCertificates = tls.ClientCertificates,
            EnabledSslProtocols = tls.EnabledSslProtocols,
            EncryptionPolicy = tls.EncryptionPolicy,
            LocalCertificateSelectionCallback = tls.LocalCertificateSelectionCallback,
            RemoteCertificateValidationCallback = tls.RemoteCertificateValidationCallback,
        };
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            copy.AllowRsaPkcs1Padding = tls.AllowRsaPkcs1Padding;
            copy.AllowRsaPssPadding = tls.AllowRsaPssPadding;
        }

        return copy;
    }

    /// <summary>Connects to a named pipe server on this machine.</summary>
    public static async Task<StreamClientTransport> ConnectNamedPipeAsync(string pipeName, MessageFraming framing = MessageFraming.ContentLength,
        int maxMessageSize = FramedConnection.DefaultMaxMessageSize, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var pipe = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut, PipeOptions.Asynchronous);
        try
        {
            await pipe.ConnectAsync(timeout ?? TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            await pipe.DisposeAsync().ConfigureAwait(false);
            throw new RpcTransportException($"Cannot connect to pipe '{pipeName}': {e.Message}", e);
        }

        return new StreamClientTransport(pipe, framing, maxMessageSize);
    }

    /// <inheritdoc/>
    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        => Wrap(_connection.WriteAsync(message, cancellationToken));

    void IBatchingMessageSender.SendSoon(ReadOnlyMemory<byte> message)
    {
        try
        {
            _connection.QueueSoon(message);
        }
        catch (IOException e)
        {
            throw new RpcTransportException("The connection failed: " + e.Message, e);
        }
    }

    void IBatchingMessageSender.OnWriteFailed(Action<Exception> handler) => _connection.WriteFailed = handler;

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _connection.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RpcTransportException("The connection failed: " + e.Message, e);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask Wrap(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RpcTransportException("The connection failed: " + e.Message, e);
        }
        catch (ObjectDisposedException e)
        {
            // Closed under the write: by its owner, or because another write failed.
            throw new RpcTransportException("The connection is closed.", e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
