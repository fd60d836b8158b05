using TinyRpc.Dispatch;

namespace TinyRpc.Hosting;

/// <summary>One <see cref="TinyRpcBuilder.AddService{TService}"/>: applied to the dispatcher when the container makes it.</summary>
internal sealed class ServiceRegistration(Action<RpcDispatcher, IServiceProvider> apply)
{
    public void Apply(RpcDispatcher dispatcher, IServiceProvider provider) => apply(dispatcher, provider);
}
