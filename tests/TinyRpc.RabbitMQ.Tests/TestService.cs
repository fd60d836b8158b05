namespace TinyRpc.Tests;

internal static partial class TestService
{
    /// <summary>A queue name no other test (or parallel run) uses.</summary>
    public static string NewQueueName(string purpose) => $"tinyrpc-test-{purpose}-{Guid.NewGuid():N}";
}
