using BenchmarkDotNet.Attributes;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 3: round trips over loopback, per transport. Each transport is measured against its floor, the raw library
/// alone over the same kind of connection (Floors.cs), and against StreamJsonRpc where it has the transport.
/// </summary>
public class LoopbackBenchmarks : RoundTripBenchmarks
{
    /// <summary>
    /// The transport under test: "tcp" (stream framing) or "websocket" (Kestrel on 127.0.0.1 and ClientWebSocket;
    /// StreamJsonRpc over its WebSocketMessageHandler). ZeroMQ and HTTP have classes of their own
    /// (<see cref="ZeroMqLoopbackBenchmarks"/>, <see cref="HttpLoopbackBenchmarks"/>), since StreamJsonRpc has neither.
    /// </summary>
    [Params("tcp", "websocket")]
    public string Transport { get; set; } = "tcp";

    protected override Task<RoundTripSetup> CreateSetupAsync(string method) => RoundTripSetup.CreateAsync(Transport, method);
}
