using System.ComponentModel;
using MessagePack;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>
/// Where generated code registers, at module initialization, the resolver of the types its contracts use
/// (closed collections, enums, records and classes), so that <see cref="MessagePackRpcProtocol"/> finds their
/// formatters with no setup and no reflection. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MessagePackFormatterRegistry
{
    private static readonly object s_lock = new();
    private static volatile IFormatterResolver[] s_resolvers = [];

    /// <summary>The registered resolvers, in registration order; a snapshot that later registrations do not change.</summary>
    internal static IFormatterResolver[] Resolvers => s_resolvers;

    /// <summary>
    /// Adds <paramref name="resolver"/> after those already registered (called by generated module initializers).
    /// Registering the same instance again does nothing. The protocol asks the user's resolver first, then
    /// MessagePack-CSharp's built-in one, then the registered ones in order.
    /// </summary>
    public static void Register(IFormatterResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        lock (s_lock)
        {
            if (Array.IndexOf(s_resolvers, resolver) < 0)
            {
                s_resolvers = [.. s_resolvers, resolver];
            }
        }
    }
}
