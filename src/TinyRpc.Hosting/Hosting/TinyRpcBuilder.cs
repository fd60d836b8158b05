using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TinyRpc.Dispatch;
using TinyRpc.Transports;

namespace TinyRpc.Hosting;

/// <summary>
/// What <see cref="TinyRpcServiceCollectionExtensions.AddTinyRpc"/> returns: adds the services every hosted server
/// dispatches to, and the servers. Every server of one container answers with the same <see cref="RpcDispatcher"/>,
/// which is registered as a singleton (resolve it to serve the same services elsewhere, with ASP.NET Core's
/// <c>MapTinyRpc</c> say).
/// </summary>
public sealed class TinyRpcBuilder
{
    internal TinyRpcBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the servers and services are added to.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Serves every public method of the <see cref="RpcServiceAttribute"/> class <typeparamref name="TService"/>, each
    /// call on an instance taken from the container, under <paramref name="prefix"/>. <typeparamref name="TService"/> is
    /// registered as scoped unless it is registered already: a scoped (or transient) service gets a new scope for every
    /// call, disposed when the method returns, so its scoped dependencies are new for each call; a singleton is taken once
    /// and every call runs on it, through the same path as <see cref="RpcDispatcher.RegisterInstance{TService}(TService, string)"/>.
    /// The generated dispatch table is used; nothing is looked up by reflection.
    /// </summary>
    public TinyRpcBuilder AddService<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TService>(string prefix = "")
        where TService : class, IRpcService<TService>
    {
        ArgumentNullException.ThrowIfNull(prefix);
        Services.TryAddScoped<TService>();
        IServiceCollection services = Services;
        Services.AddSingleton(new ServiceRegistration((dispatcher, provider) =>
        {
            // The lifetime is read when the dispatcher is made, after every registration, so a later AddSingleton wins.
            ServiceLifetime lifetime = services.LastOrDefault(d => d.ServiceType == typeof(TService) && !d.IsKeyedService)?.Lifetime
                ?? ServiceLifetime.Scoped;
            if (lifetime == ServiceLifetime.Singleton)
            {
                dispatcher.RegisterInstance(provider.GetRequiredService<TService>(), prefix);
                return;
            }

            IServiceScopeFactory scopes = provider.GetRequiredService<IServiceScopeFactory>();
            dispatcher.RegisterPerCall<TService>(_ =>
            {
                AsyncServiceScope scope = scopes.CreateAsyncScope();
                try
                {
                    return (scope.ServiceProvider.GetRequiredService<TService>(), scope);
                }
                catch
                {
                    scope.Dispose();
                    throw;
                }
            }, prefix);
        }));
        return this;
    }

    /// <summary>
    /// Adds a server hosted as a background service, named <paramref name="name"/>, over the transport
    /// <paramref name="transportFactory"/> makes when the host starts (the server disposes it when it stops). The way for
    /// transports of other packages (ZeroMQ, RabbitMQ) and of your own. The server is also a keyed singleton
    /// <see cref="TinyRpcHostedServer"/> under <paramref name="name"/>, and has a health check named
    /// <c>tinyrpc:</c><paramref name="name"/>, tagged <c>tinyrpc</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A server of that name was added already.</exception>
    public TinyRpcBuilder AddServer(string name, Func<IServiceProvider, IServerTransport> transportFactory)
    {
        ArgumentNullException.ThrowIfNull(transportFactory);
        return AddServer(name, transportFactory, stopHostWhenEnded: false);
    }

    /// <summary>
    /// Adds a server as <see cref="AddServer(string, Func{IServiceProvider, IServerTransport})"/> does, over a transport
    /// made asynchronously when the host starts (RabbitMQ's <c>RabbitMQServerTransport.CreateAsync</c>, which connects to
    /// the broker): the host's start waits for it, and the host's start token is passed to it. A factory that throws fails
    /// the host's start, and the server is <see cref="TinyRpcServerState.Failed"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A server of that name was added already.</exception>
    public TinyRpcBuilder AddServer(string name, Func<IServiceProvider, CancellationToken, Task<IServerTransport>> transportFactory)
    {
        ArgumentNullException.ThrowIfNull(transportFactory);
        return AddServer(name, transportFactory, stopHostWhenEnded: false);
    }

    /// <summary>
    /// Adds a TCP server listening on <paramref name="endpoint"/> (port 0: any free port; see
    /// <see cref="TinyRpcHostedServer.Transport"/> for the one chosen), named <paramref name="name"/>. Its clients stay
    /// connected, so the server may call them back.
    /// </summary>
    public TinyRpcBuilder AddTcpServer(IPEndPoint endpoint, string name = "tcp", MessageFraming framing = MessageFraming.ContentLength)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return AddServer(name, _ => new TcpServerTransport(endpoint, framing), stopHostWhenEnded: false);
    }

    /// <summary>Adds a server on the named pipe <paramref name="pipeName"/>, named <paramref name="name"/>.</summary>
    public TinyRpcBuilder AddNamedPipeServer(string pipeName, string name = "pipe", MessageFraming framing = MessageFraming.ContentLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipeName);
        return AddServer(name, _ => new NamedPipeServerTransport(pipeName, framing), stopHostWhenEnded: false);
    }

    /// <summary>
    /// Adds a server on the process's standard input and output, named <paramref name="name"/>. When standard input
    /// ends, the server stops and asks the host to stop (<see cref="IHostApplicationLifetime.StopApplication"/>): a
    /// process started by its client ends with it. Log to standard error only: standard output carries the replies.
    /// </summary>
    public TinyRpcBuilder AddStdioServer(string name = "stdio", MessageFraming framing = MessageFraming.ContentLength)
        => AddServer(name, _ => StreamServerTransport.ForStandardIo(framing), stopHostWhenEnded: true);

    private TinyRpcBuilder AddServer(string name, Func<IServiceProvider, IServerTransport> transportFactory, bool stopHostWhenEnded)
        => AddServer(name, (provider, _) => Task.FromResult(transportFactory(provider)), stopHostWhenEnded);

    private TinyRpcBuilder AddServer(string name, Func<IServiceProvider, CancellationToken, Task<IServerTransport>> transportFactory, bool stopHostWhenEnded)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(transportFactory);
        if (Services.Any(d => d.IsKeyedService && d.ServiceType == typeof(TinyRpcHostedServer) && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"A TinyRpc server named '{name}' was added already.", nameof(name));
        }

        Services.AddKeyedSingleton(name, (provider, _) => new TinyRpcHostedServer(name, provider, transportFactory, stopHostWhenEnded));
        Services.AddSingleton<IHostedService>(provider => provider.GetRequiredKeyedService<TinyRpcHostedServer>(name));
        Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "tinyrpc:" + name,
            provider => new TinyRpcServerHealthCheck(provider.GetRequiredKeyedService<TinyRpcHostedServer>(name)),
            failureStatus: null,
            tags: ["tinyrpc"]));
        return this;
    }
}
