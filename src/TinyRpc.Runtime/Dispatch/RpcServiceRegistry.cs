using System.Collections.Concurrent;
using System.ComponentModel;

namespace TinyRpc;

/// <summary>
/// Where generated code registers its tables and proxies at module initialization, so that
/// <see cref="RpcDispatcher.RegisterInstance(object, string)"/> and <see cref="RpcClient.GetProxy{TService}"/>
/// find them by type without reflection. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RpcServiceRegistry
{
    private static readonly ConcurrentDictionary<Type, (Func<object, string, IEnumerable<RpcMethod>> Bind, string? Document)> s_tables = new();
    private static readonly ConcurrentDictionary<Type, Func<RpcClient, string, bool, object>> s_proxies = new();

    /// <summary>Registers the table of <typeparamref name="TService"/> (called by generated module initializers).</summary>
    public static void RegisterTable<TService>(RpcServiceTable<TService> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        s_tables[typeof(TService)] = ((instance, prefix) => table.Methods.Select(m => m.Bind((TService)instance, prefix)), table.OpenRpcDocument);
    }

    /// <summary>Registers the proxy factory of the interface <typeparamref name="TService"/> (called by generated module initializers).</summary>
    public static void RegisterProxy<TService>(Func<RpcClient, string, bool, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        s_proxies[typeof(TService)] = (client, prefix, oneWay) => factory(client, prefix, oneWay);
    }

    internal static bool TryBind(object instance, string prefix, out IEnumerable<RpcMethod> methods, out string? document)
    {
        for (Type? type = instance.GetType(); type is not null; type = type.BaseType)
        {
            if (s_tables.TryGetValue(type, out (Func<object, string, IEnumerable<RpcMethod>> Bind, string? Document) table))
            {
                methods = table.Bind(instance, prefix);
                document = table.Document;
                return true;
            }
        }

        methods = [];
        document = null;
        return false;
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
