using System.Collections.Concurrent;
using System.ComponentModel;

namespace TinyRpc.Client;

/// <summary>
/// Where generated code registers the typed proxy of each <c>[RpcService]</c> interface at module initialization,
/// so that <see cref="RpcClient.GetProxy{TService}(string, bool)"/> finds it by type without reflection. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RpcProxyRegistry
{
    private static readonly ConcurrentDictionary<Type, Func<RpcClient, string, bool, object>> s_proxies = new();

    /// <summary>Registers the proxy factory of the interface <typeparamref name="TService"/> (called by generated module initializers).</summary>
    public static void RegisterProxy<TService>(Func<RpcClient, string, bool, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        s_proxies[typeof(TService)] = (client, prefix, oneWay) => factory(client, prefix, oneWay);
    }

    internal static bool TryCreateProxy<TService>(RpcClient client, string prefix, bool oneWay, out TService proxy)
        where TService : class
    {
        if (s_proxies.TryGetValue(typeof(TService), out Func<RpcClient, string, bool, object>? factory))
        {
            proxy = (TService)factory(client, prefix, oneWay);
            return true;
        }

        proxy = null!;
        return false;
    }
}
