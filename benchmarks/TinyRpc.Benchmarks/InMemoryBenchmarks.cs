namespace TinyRpc.Benchmarks;

/// <summary>
/// Case 2: round trips in memory. TinyRpc uses InMemoryTransport; StreamJsonRpc a pair of in-memory duplex pipes, its
/// own fastest in-process path; the floor a pair of channels and a task that answers each request (Floors.cs).
/// </summary>
public class InMemoryBenchmarks : RoundTripBenchmarks
{
    protected override Task<RoundTripSetup> CreateSetupAsync(string method) => RoundTripSetup.CreateAsync("inmemory", method);
}
