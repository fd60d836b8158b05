using TinyRpc.Client;

namespace TinyRpc.Tests;

/// <summary>
/// The steps of a drill in which samples/DemoServer is killed with calls in flight: calls of its sleep method that
/// the server is known to run, then the check that each one failed, clearly and in bounded time.
/// </summary>
internal static class ServerKillDrill
{
    /// <summary>How long anything in a drill may take before it counts as a hang.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Starts <paramref name="count"/> calls of sleep(60000) on <paramref name="client"/> and returns once the server
    /// runs all of them, as <paramref name="observer"/> (a client of the same server, possibly the same one) sees it.
    /// </summary>
    public static async Task<Task<long>[]> StartSleepsAsync(RpcClient client, RpcClient observer, int count)
    {
        Task<long>[] calls = Enumerable.Range(0, count).Select(_ => client.CallAsync<long>("sleep", 60_000)).ToArray();
        long pending = 0;
        using var limit = new CancellationTokenSource(Bound);
        while (pending != count && !limit.IsCancellationRequested)
        {
            pending = await observer.CallAsync<long>("pending");
        }

        Assert.True(pending == count, $"The server ran {pending} of the {count} sleep calls within {Bound.TotalSeconds} s.");
        return calls;
    }

    /// <summary>Each call must fail with <typeparamref name="TException"/>; one still waiting after <see cref="Bound"/> is a hang.</summary>
    public static async Task AssertEachFailsAsync<TException>(Task<long>[] calls)
        where TException : Exception
    {
        for (int i = 0; i < calls.Length; i++)
        {
            Exception? failure = null;
            long result = 0;
            try
            {
                result = await calls[i].WaitAsync(Bound);
            }
            catch (Exception e)
            {
                failure = e;
            }

            Assert.False(failure is null, $"Call {i + 1} of {calls.Length} in flight when the server was killed returned {result}.");
            Assert.False(failure is TimeoutException && !calls[i].IsCompleted, $"Call {i + 1} of {calls.Length} was still waiting {Bound.TotalSeconds} s after the server was killed.");
            Assert.True(failure is TException, $"Call {i + 1} of {calls.Length} failed with {failure.GetType().Name} ({failure.Message}), not {typeof(TException).Name}.");
            Assert.False(string.IsNullOrWhiteSpace(failure.Message), $"Call {i + 1} of {calls.Length} failed without a message.");
        }
    }
}
