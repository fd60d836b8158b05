namespace TinyRpc;

/// <summary>
/// On a method of an <see cref="RpcServiceAttribute"/> interface: the generated proxy sends a notification
/// (no reply awaited). The method must return <c>void</c>, <c>Task</c> or <c>ValueTask</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class OneWayAttribute : Attribute
{
}
