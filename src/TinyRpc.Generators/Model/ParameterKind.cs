namespace TinyRpc.Generators.Model;

/// <summary>How a parameter is supplied.</summary>
internal enum ParameterKind
{
    /// <summary>Read from the request, by position or by name.</summary>
    Wire,

    /// <summary>A C# <c>params T[]</c> that gathers the remaining positional arguments (or takes an array by name).</summary>
    ParamArray,

    /// <summary>A <c>CancellationToken</c>: supplied by the server, not a wire parameter.</summary>
    CancellationToken,

    /// <summary>An <c>RpcConnection</c>: the connection the request came over (<c>RpcRequest.Connection</c>), not a wire parameter.</summary>
    Connection,

    /// <summary>An <c>RpcCallContext</c>: the context of the call, made for the method from the request, not a wire parameter.</summary>
    CallContext,

    /// <summary>
    /// An <c>IProgress&lt;T&gt;</c>: its place on the wire holds the caller's progress token (an integer or null); the
    /// server supplies an <c>IProgress&lt;T&gt;</c> whose reports go back as <c>$/progress</c>. The element type is in
    /// <c>ElementTypeName</c>.
    /// </summary>
    Progress,
}
