namespace TinyRpc;

/// <summary>What an <see cref="RpcId"/> holds.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Named after the JSON value kinds, as JsonTokenType is.")]
public enum RpcIdKind
{
    /// <summary>No id: the message is a notification (one-way request).</summary>
    None = 0,

    /// <summary>An explicit null id, as in error responses whose request id could not be read.</summary>
    Null,

    /// <summary>An integer id.</summary>
    Number,

    /// <summary>A string id.</summary>
    String,
}
