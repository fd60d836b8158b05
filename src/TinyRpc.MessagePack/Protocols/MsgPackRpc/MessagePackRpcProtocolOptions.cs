using MessagePack;

namespace TinyRpc.Protocols.MsgPackRpc;

/// <summary>Settings of a <see cref="MessagePackRpcProtocol"/>.</summary>
/// <remarks>
/// <para>
/// Parameters, results and error objects of types other than primitives go through the resolver of
/// <see cref="SerializerOptions"/> first. Without one (or when it has no formatter for a type), what
/// MessagePack-CSharp's <c>BuiltinResolver</c> handles is supported (numbers, strings, booleans, byte arrays,
/// arrays of primitives, <see cref="DateTime"/>, <see cref="Guid"/>, <see cref="decimal"/>, nullable primitives);
/// <see cref="object"/> holding primitives, arrays and maps (read as <see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/>, <c>byte[]</c>, <c>object?[]</c>, <c>Dictionary&lt;object, object?&gt;</c>); the closed
/// collections, dictionaries, nullable types, enums, records, classes and structs of the assembly's
/// <c>[RpcService]</c> contracts, through the resolver TinyRpc's generator registers (user types as maps keyed by
/// their JSON names); and <c>object[]</c>, <c>List&lt;object&gt;</c>,
/// <c>Dictionary&lt;string, object&gt;</c>, <c>Dictionary&lt;string, string&gt;</c>, their interfaces and
/// <c>List&lt;string&gt;</c>. None of them uses reflection. A value passed as <see cref="object"/>
/// (<see cref="RpcProtocol.CreateRequest"/>) is written by its runtime type only when it is such a primitive,
/// array or map; add other values typed with <see cref="RpcRequestBuilder.Add{T}(T)"/>.
/// </para>
/// <para>
/// For other types in a NativeAOT or trimmed app, supply a resolver that needs no reflection: formatters generated ahead of
/// time by MessagePack-CSharp's <c>mpc</c> tool, or hand-written ones, combined for instance with
/// <c>CompositeResolver.Create(new IMessagePackFormatter[] { new PointFormatter() }, new IFormatterResolver[] { GeneratedResolver.Instance })</c>
/// and passed as <c>SerializerOptions = new MessagePackSerializerOptions(resolver)</c>.
/// For convenience in apps that are not trimmed, <c>MessagePackSerializerOptions.Standard</c> (reflection and
/// dynamic code: <c>[MessagePackObject]</c> types, lists, dictionaries) can be passed instead; it is never used unless given.
/// </para>
/// </remarks>
public sealed class MessagePackRpcProtocolOptions
{
    /// <summary>The default <see cref="MaxDepth"/>.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>The default <see cref="MaxMessageSize"/>: 4 MiB, as the stream transports' default.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// Options whose resolver serializes parameter, result and error values. The protocol looks a type up in
    /// this resolver first, then in its built-in one; the security setting is made stricter
    /// (<see cref="MessagePackSecurity.UntrustedData"/>, depth at most <see cref="MaxDepth"/>). Compression is not used.
    /// </summary>
    public MessagePackSerializerOptions? SerializerOptions { get; set; }

    /// <summary>The deepest nesting of arrays and maps a message may have (the envelope counts); deeper messages get a parse error.</summary>
    public int MaxDepth { get; set; } = DefaultMaxDepth;

    /// <summary>The largest message parsed, in bytes; a larger request gets a parse error, a larger reply is invalid.</summary>
    public int MaxMessageSize { get; set; } = DefaultMaxMessageSize;
}
