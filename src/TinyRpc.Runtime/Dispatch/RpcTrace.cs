namespace TinyRpc.Dispatch;

/// <summary>
/// Observes every message a server receives (<paramref name="direction"/> <c>--&gt;</c>) and every reply it
/// sends (<c>&lt;--</c>), as tinyrpc's <c>trace</c> callback does.
/// </summary>
public delegate void RpcTrace(string direction, object? context, ReadOnlyMemory<byte> message);
