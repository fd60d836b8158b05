using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Hosting;

/// <summary>
/// Registers TinyRpc servers and clients in a service collection. In the namespace <c>TinyRpc.Hosting</c>, not
/// <c>Microsoft.Extensions.DependencyInjection</c>: .NET's guidance keeps that namespace for Microsoft's own packages and
/// asks other libraries for a namespace that names them (see docs/hosting.md).
/// </summary>
public static class TinyRpcServiceCollectionExtensions
{
    /// <summary>
    /// Adds what hosted TinyRpc servers need: <see cref="TinyRpcOptions"/> (configured by <paramref name="configure"/>,
    /// validated when the host starts), the <see cref="RpcDispatcher"/> every server answers with, and the
    /// <see cref="RpcProtocol"/> (JSON-RPC 2.0 unless one is registered already). Add services and servers on the
    /// builder it returns. Calling it again adds nothing twice.
    /// </summary>
    public static TinyRpcBuilder AddTinyRpc(this IServiceCollection services, Action<TinyRpcOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<TinyRpcOptions> options = services.AddOptions<TinyRpcOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(TinyRpcMarker)))
        {
            services.AddSingleton<TinyRpcMarker>();
            options.Validate(o => o.MaxConcurrency >= 1, "TinyRpcOptions.MaxConcurrency must be at least 1.").ValidateOnStart();
            services.TryAddSingleton<RpcProtocol>(new JsonRpcProtocol());
            services.TryAddSingleton(provider =>
            {
                var dispatcher = new RpcDispatcher
                {
                    IncludeExceptionDetails = provider.GetRequiredService<IOptions<TinyRpcOptions>>().Value.IncludeExceptionDetails,

                    // The host's logging: the dispatcher's, and through it the responder's and every hosted server's.
                    Logger = provider.GetService<ILoggerFactory>()?.CreateLogger("TinyRpc"),

                    // The host's metrics: the server call histogram comes from the container's meter factory.
                    MeterFactory = provider.GetService<IMeterFactory>(),
                };
                foreach (ServiceRegistration registration in provider.GetServices<ServiceRegistration>())
                {
                    registration.Apply(dispatcher, provider);
                }

                return dispatcher;
            });
        }

        return new TinyRpcBuilder(services);
    }

    /// <summary>
    /// Registers the generated typed proxy of the <see cref="RpcServiceAttribute"/> interface <typeparamref name="TService"/>
    /// (transient) over the endpoint of <see cref="TinyRpcClientOptions"/>, configured by <paramref name="configure"/>
    /// and validated when the host starts. An <c>http://</c> or <c>https://</c> endpoint is called by HTTP POST with an
    /// <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>, named after the options (the returned builder's
    /// <see cref="OptionsBuilder{TOptions}.Name"/>: add handlers with <c>services.AddHttpClient(name)</c>); a
    /// <c>tcp://host:port</c> endpoint through one connection per container, made at the first call and made again, with
    /// back-off, after it drops (see docs/hosting.md). The options are named after <typeparamref name="TService"/>; bind
    /// them from configuration on the returned builder.
    /// </summary>
    public static OptionsBuilder<TinyRpcClientOptions> AddTinyRpcClient<TService>(this IServiceCollection services, Action<TinyRpcClientOptions>? configure = null)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(services);
        string name = typeof(TService).FullName ?? typeof(TService).Name;
        OptionsBuilder<TinyRpcClientOptions> options = services.AddOptions<TinyRpcClientOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(TinyRpcClientOptions.IsValid, TinyRpcClientOptions.ValidationMessage).ValidateOnStart();
        services.AddHttpClient(name);
        services.TryAddSingleton<RpcProtocol>(new JsonRpcProtocol());
        services.AddKeyedSingleton(name, (provider, _) => new ClientSlot(
            name,
            provider.GetRequiredService<IOptionsMonitor<TinyRpcClientOptions>>().Get(name),
            provider.GetRequiredService<RpcProtocol>(),
            provider.GetRequiredService<IHttpClientFactory>(),
            provider.GetService<IMeterFactory>()));
        services.AddTransient(provider =>
        {
            ClientSlot slot = provider.GetRequiredKeyedService<ClientSlot>(name);
            return slot.GetClient().GetProxy<TService>(slot.Options.Prefix);
        });
        return options;
    }

    /// <summary>Marks a collection TinyRpc was added to, so that a second <see cref="AddTinyRpc"/> adds nothing twice.</summary>
    private sealed class TinyRpcMarker;
}
