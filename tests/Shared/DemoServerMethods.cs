using System.Globalization;

namespace TinyRpc.Tests;

/// <summary>
/// Every method samples/DemoServer lists (<c>--help</c>), called through one client, with the answers an independent
/// peer expects: used for each transport and both protocols.
/// </summary>
internal static class DemoServerMethods
{
    /// <summary>Characters outside the Basic Multilingual Plane (surrogate pairs in UTF-16) between plain ones.</summary>
    public const string Astral = "a\U0001d11eb\U0001f600c";

    /// <summary><see cref="Astral"/> reversed by code point, as Python's <c>s[::-1]</c> does.</summary>
    public const string AstralReversed = "c\U0001f600b\U0001d11ea";

    public static async Task AssertEveryMethodAsync(RpcClient client)
    {
        Assert.Equal(19, await client.CallAsync<long>("subtract", 42, 23));
        Assert.Equal(-19, await client.CallAsync<long>("subtract", 23, 42));
        Assert.Equal(7, await client.CallAsync<long>("sum", 1, 2, 4));
        Assert.Equal(0, await client.CallAsync<long>("sum"));
        Assert.Equal(3.5, await client.CallAsync<double>("add", 1, 2.5));
        Assert.Equal("cba", await client.CallAsync<string>("reverse_string", "abc"));
        Assert.Equal(AstralReversed, await client.CallAsync<string>("reverse_string", Astral));

        // Checked arithmetic: a result outside 64 bits is an error reply, never a wrapped number.
        RpcException overflow = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<long>("subtract", long.MinValue, long.MaxValue));
        Assert.Contains("overflow", overflow.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<long>("sum", long.MaxValue, 1));

        object?[] data = await client.CallAsync<object?[]>("get_data");
        Assert.Equal(["hello", "5"], data.Select(item => Convert.ToString(item, CultureInfo.InvariantCulture)));

        foreach (string site in new[] { "sitea", "siteb" })
        {
            Assert.Equal(site, await client.CallAsync<string>(site + ".get_site"));
            Dictionary<string, string> user = await client.CallAsync<Dictionary<string, string>>(site + ".get_user_info", "ann");
            Assert.Equal(new Dictionary<string, string> { ["name"] = "ann", ["site"] = site }, user);
        }

        RpcException cheat = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<object>("cheat"));
        Assert.Equal(99, cheat.Code);
        Assert.Equal("Ah, that's cheating", cheat.Message);

        Assert.Equal(0, await client.CallAsync<long>("sleep", 0));
        Assert.Equal(5, await client.CallAsync<long>("sleep", 5));
        Assert.Equal(0, await client.CallAsync<long>("pending")); // each sleep ends before its reply is sent
        await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<long>("sleep", -1));

        await client.NotifyAsync("update", [1, 2, 3, 4, 5]);
        await client.NotifyAsync("notify_hello", [7]);
        await client.NotifyAsync("notify_sum", [1, 2, 4]);

        // The server is still there after the notifications.
        Assert.Equal(19, await client.CallAsync<long>("subtract", 42, 23));
    }
}
