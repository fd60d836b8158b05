using System.ComponentModel;

namespace TinyRpc.Dispatch;

/// <summary>
/// Implemented (by the generator, on the partial class) by every <see cref="RpcServiceAttribute"/> class,
/// so that <see cref="RpcDispatcher.RegisterInstance{TService}(TService, string)"/> finds the table by
/// generic static dispatch, without reflection.
/// </summary>
/// <typeparam name="TSelf">The service class itself.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IRpcService<TSelf>
    where TSelf : IRpcService<TSelf>
{
    /// <summary>The generated dispatch table.</summary>
    static abstract RpcServiceTable<TSelf> RpcTable { get; }
}
