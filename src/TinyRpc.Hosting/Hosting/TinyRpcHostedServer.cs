using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.Hosting;

/// <summary>
/// One server of <see cref="TinyRpcBuilder"/>, run by the host as a background service. Its transport is made when the
/// host starts it (so a TCP server is listening once the host has started), and disposed when it has stopped.
/// </summary>
/// <remarks>
/// Stopping follows the host's deadline (<c>HostOptions.ShutdownTimeout</c>): the server stops receiving at once, lets
/// the calls in flight finish, and cancels them (their <see cref="CancellationToken"/>) only when the host's stop token
/// fires; then it ends its clients' connections and closes the transport. <see cref="RpcServerOptions.ShutdownTimeout"/>
/// is not used (<see cref="RpcServer.ServeUntilDeadlineAsync"/>), so stopping never waits a second timeout on top of the host's.
/// </remarks>
public sealed class TinyRpcHostedServer : BackgroundService
{
    private readonly IServiceProvider _provider;
    private readonly Func<IServiceProvider, CancellationToken, Task<IServerTransport>> _transportFactory;
    private readonly bool _stopHostWhenEnded;
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _stateLock = new();
    private volatile TinyRpcServerState _state;
    private int _ran; // 1 once ExecuteAsync or StopAsync has taken the serving over

    internal TinyRpcHostedServer(string name, IServiceProvider provider, Func<IServiceProvider, CancellationToken, Task<IServerTransport>> transportFactory, bool stopHostWhenEnded)
    {
        Name = name;
        _provider = provider;
        _transportFactory = transportFactory;
        _stopHostWhenEnded = stopHostWhenEnded;
    }

    /// <summary>The name it was added under.</summary>
    public string Name { get; }

    /// <summary>Where it is in its life.</summary>
    public TinyRpcServerState State => _state;

    /// <summary>Why it is <see cref="TinyRpcServerState.Failed"/>; null otherwise.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The transport, once the host has started the server (a <see cref="TcpServerTransport"/>'s <see cref="TcpServerTransport.LocalEndPoint"/> is the port it listens on); null before.</summary>
    public IServerTransport? Transport { get; private set; }

    /// <summary>The server, once the host has started it; null before.</summary>
    public RpcServer? Server { get; private set; }

    /// <inheritdoc/>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        TinyRpcOptions options = _provider.GetRequiredService<IOptions<TinyRpcOptions>>().Value;
        try
        {
            Transport = await _transportFactory(_provider, cancellationToken).ConfigureAwait(false);
            if (Transport is ConnectionServerTransport connections)
            {
                connections.Start(); // listening before the host reports it has started
            }

            Server = new RpcServer(Transport, _provider.GetRequiredService<RpcProtocol>(), _provider.GetRequiredService<RpcDispatcher>(),
                new RpcServerOptions { MaxConcurrency = options.MaxConcurrency });
        }
        catch (Exception e)
        {
            Failure = e;
            _state = TinyRpcServerState.Failed;
            throw;
        }

        _state = TinyRpcServerState.Serving;
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _ran, 1) != 0)
        {
            return;
        }

        try
        {
            // Off the host's start-up path: the receive loop may complete its first steps synchronously.
            await Task.Yield();
            await Server!.ServeUntilDeadlineAsync(stoppingToken, _abort.Token).ConfigureAwait(false);
            SetState(TinyRpcServerState.Stopped);
        }
        catch (Exception e)
        {
            Failure = e;
            SetState(TinyRpcServerState.Failed);
            throw;
        }
        finally
        {
            await DisposeTransportAsync().ConfigureAwait(false);
            if (_stopHostWhenEnded && !stoppingToken.IsCancellationRequested)
            {
                _provider.GetService<IHostApplicationLifetime>()?.StopApplication();
            }
        }
    }

    /// <summary>
    /// Stops receiving and waits for the calls in flight; when <paramref name="cancellationToken"/> (the host's shutdown
    /// deadline) fires first, cancels them and returns.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Unhealthy while it drains: it reads no new requests, so a load balancer should send them elsewhere. Only from
        // Serving: a server whose transport ended, or failed, meanwhile keeps that state.
        lock (_stateLock)
        {
            if (_state == TinyRpcServerState.Serving)
            {
                _state = TinyRpcServerState.Stopping;
            }
        }

        // base.StopAsync returns when the calls in flight have finished or when the deadline fires; only in the second
        // case are they cancelled. (Not from a registration on the token: the base's own registration runs first and
        // returns here, and the abort must not depend on which callback the token runs first.)
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        // Stopped so soon after starting that the host never ran ExecuteAsync (it starts it on the thread pool, and
        // drops it when stopping comes first): the transport opened in StartAsync is closed here.
        if (Transport is not null && Interlocked.Exchange(ref _ran, 1) == 0)
        {
            SetState(TinyRpcServerState.Stopped);
            await DisposeTransportAsync().ConfigureAwait(false);
        }
    }

    // Under the lock that StopAsync's move from Serving to Stopping takes, so that it never overwrites an end state.
    private void SetState(TinyRpcServerState state)
    {
        lock (_stateLock)
        {
            _state = state;
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    private async Task DisposeTransportAsync()
    {
        try
        {
            switch (Transport)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Closing what failed already: nothing more to tell.
        }
    }
}
