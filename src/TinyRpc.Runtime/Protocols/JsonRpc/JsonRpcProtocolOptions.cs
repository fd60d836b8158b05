using System.Text.Json;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>Settings of a <see cref="JsonRpcProtocol"/>.</summary>
public sealed class JsonRpcProtocolOptions
{
    /// <summary>The default <see cref="MaxDepth"/>.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>The default <see cref="MaxBatchLength"/>.</summary>
    public const int DefaultMaxBatchLength = 1000;

    /// <summary>
    /// Options for parameter, result and error data values. Supply a
    /// <see cref="System.Text.Json.Serialization.JsonSerializerContext"/> as its resolver for NativeAOT.
    /// Primitives, strings, arrays, lists and dictionaries of them work without one.
    /// NaN and Infinity are never written, whatever the options say.
    /// </summary>
    public JsonSerializerOptions? SerializerOptions { get; set; }

    /// <summary>The deepest nesting of arrays and objects a message may have; deeper messages get a parse error.</summary>
    public int MaxDepth { get; set; } = DefaultMaxDepth;

    /// <summary>The most requests one batch may hold; a longer batch is refused with one Invalid Request error.</summary>
    public int MaxBatchLength { get; set; } = DefaultMaxBatchLength;

    /// <summary>
    /// When true, requests and notifications sent carry the caller's W3C trace context (the current
    /// <see cref="System.Diagnostics.Activity"/>: the client's call span when it is recorded) as the top-level members
    /// <c>traceparent</c> and <c>tracestate</c>, where StreamJsonRpc's <c>ActivityTracingStrategy</c> reads and writes
    /// them. Off by default: JSON-RPC has no such members, and strict peers (Python's tinyrpc among them) reject a
    /// request that has them. Received requests are read with or without it: TinyRpc always accepts the two members.
    /// </summary>
    public bool PropagateTraceContext { get; set; }
}
