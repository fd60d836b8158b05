using System.ComponentModel;

namespace TinyRpc.Dispatch;

/// <summary>
/// The dispatch table of a service class: every public method, unbound. Generated for each
/// <see cref="RpcServiceAttribute"/> class.
/// </summary>
/// <typeparam name="TService">The service class.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RpcServiceTable<TService>
{
    /// <summary>Creates the table, without an OpenRPC document.</summary>
    public RpcServiceTable(IReadOnlyList<RpcMethodDescriptor<TService>> methods)
        : this(methods, null)
    {
    }

    /// <summary>Creates the table with the OpenRPC document that describes its methods.</summary>
    /// <param name="methods">The public methods.</param>
    /// <param name="openRpcDocument">
    /// The OpenRPC document (JSON text) of exactly these methods under their unprefixed names, or null when there is none.
    /// </param>
    public RpcServiceTable(IReadOnlyList<RpcMethodDescriptor<TService>> methods, string? openRpcDocument)
    {
        ArgumentNullException.ThrowIfNull(methods);
        Methods = methods;
        OpenRpcDocument = openRpcDocument;
    }

    /// <summary>The public methods.</summary>
    public IReadOnlyList<RpcMethodDescriptor<TService>> Methods { get; }

    /// <summary>
    /// The OpenRPC 1.3 document of the service, generated at compile time: every method of <see cref="Methods"/> under
    /// its unprefixed name, with its parameters' wire names and JSON Schemas and its documentation. Null for a table
    /// made without one. <see cref="RpcDispatcher.GetOpenRpcDocument"/> combines the documents of everything registered.
    /// </summary>
    public string? OpenRpcDocument { get; }
}
