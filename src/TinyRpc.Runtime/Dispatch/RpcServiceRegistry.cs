using System.Collections.Concurrent;
using System.ComponentModel;

namespace TinyRpc.Dispatch;

/// <summary>
/// Where generated code registers the dispatch table of each <c>[RpcService]</c> class at module initialization, so
/// that <see cref="RpcDispatcher.RegisterInstance(object, string)"/> finds it by type without reflection. Not for
/// direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RpcServiceRegistry
{
    private static readonly ConcurrentDictionary<Type, (Func<object, string, IEnumerable<RpcMethod>> Bind, string? Document)> s_tables = new();

    /// <summary>Registers the table of <typeparamref name="TService"/> (called by generated module initializers).</summary>
    public static void RegisterTable<TService>(RpcServiceTable<TService> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        s_tables[typeof(TService)] = ((instance, prefix) => table.Methods.Select(m => m.Bind((TService)instance, prefix)), table.OpenRpcDocument);
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
}
