namespace TinyRpc.Benchmarks;

/// <summary>
/// Cases 2 and 3 over MSGPACK-RPC: TinyRpc with its MessagePackRpcProtocol against the floor (the MSGPACK-RPC request
/// bytes moved and answered by the raw library alone, Floors.cs), and StreamJsonRpc with its MessagePack formatter
/// (JSON-RPC envelopes encoded as MessagePack maps: not the MSGPACK-RPC wire format, but its binary path).
/// </summary>
public class MessagePackRoundTripBenchmarks : RoundTripBenchmarks
{
    /// <summary>
    /// "inmemory": InMemoryTransport, StreamJsonRpc over in-memory duplex pipes. "tcp": stream framing on 127.0.0.1,
    /// StreamJsonRpc over the NetworkStreams of one loopback connection.
    /// </summary>
    [BenchmarkDotNet.Attributes.Params("inmemory", "tcp")]
    public string Transport { get; set; } = "inmemory";

    protected override Task<RoundTripSetup> CreateSetupAsync(string method) => RoundTripSetup.CreateAsync(Transport, method, messagePack: true);
}
