using System.Net.Sockets;

namespace TinyRpc.Transports;

/// <content>TCP keep-alive on accepted connections, so that the operating system finds peers that vanished.</content>
public sealed partial class TcpServerTransport
{
    private TimeSpan _keepAliveTime = TimeSpan.FromSeconds(60);
    private TimeSpan _keepAliveInterval = TimeSpan.FromSeconds(10);
    private int _keepAliveRetryCount = 5;

    /// <summary>
    /// How long an accepted connection may carry nothing before the operating system starts probing its peer with
    /// TCP keep-alive packets (60 seconds by default; whole seconds). A peer that vanished without closing (its
    /// machine lost power, a network path broke) fails <see cref="KeepAliveRetryCount"/> probes sent
    /// <see cref="KeepAliveInterval"/> apart, and its connection is then closed like any other broken one: with the
    /// defaults, within about two minutes. <see cref="Timeout.InfiniteTimeSpan"/> turns keep-alive off. Applies to
    /// connections accepted afterwards. Keep-alive finds dead peers, not idle live ones: see <see cref="ConnectionServerTransport.IdleTimeout"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is under one second and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan KeepAliveTime
    {
        get => _keepAliveTime;
        set
        {
            if (value != Timeout.InfiniteTimeSpan)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            }

            _keepAliveTime = value;
        }
    }

    /// <summary>The time between two keep-alive probes that go unanswered (10 seconds by default; whole seconds).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is under one second.</exception>
    public TimeSpan KeepAliveInterval
    {
        get => _keepAliveInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            _keepAliveInterval = value;
        }
    }

    /// <summary>How many unanswered keep-alive probes close a connection (5 by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int KeepAliveRetryCount
    {
        get => _keepAliveRetryCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _keepAliveRetryCount = value;
        }
    }

    // Sees every accepted socket once its options are set (for tests, which check them on the server's side).
    internal Action<Socket>? SocketAccepted { get; set; }

    private void ApplyKeepAlive(Socket socket)
    {
        if (_keepAliveTime != Timeout.InfiniteTimeSpan)
        {
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)_keepAliveTime.TotalSeconds);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, (int)_keepAliveInterval.TotalSeconds);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, _keepAliveRetryCount);
            }
            catch (SocketException)
            {
                // A peer gone already: its connection's first read fails and closes it. The listener is not at fault.
            }
        }

        SocketAccepted?.Invoke(socket);
    }
}
