using System.Globalization;
using TinyRpc.Client;
using TinyRpc.Exceptions;

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

        await AssertDiscoveryAsync(client);
    }

    /// <summary>
    /// rpc.discover answers the OpenRPC document: a JSON object over JSON-RPC, the same tree as a map over MSGPACK-RPC.
    /// </summary>
    public static async Task AssertDiscoveryAsync(RpcClient client)
    {
        object? document = await client.CallAsync<object?>("rpc.discover");
        Assert.Equal("1.3.2", Member(document, "openrpc"));
        Assert.Equal("TinyRpc DemoServer", Member(Member(document, "info"), "title"));
        var methods = new Dictionary<string, object?>();
        foreach (object? method in Items(Member(document, "methods")))
        {
            methods.Add((string)Member(method, "name")!, method);
        }

        foreach (string name in new[] { "subtract", "sum", "update", "get_data", "reverse_string", "add", "cheat", "sleep", "pending",
                     "sitea.get_site", "sitea.get_user_info", "siteb.get_site", "siteb.get_user_info" })
        {
            Assert.True(methods.ContainsKey(name), $"rpc.discover does not list {name}");
        }

        Assert.Equal(["minuend", "subtrahend"], Items(Member(methods["subtract"], "params")).Select(p => (string)Member(p, "name")!));
        object? error = Assert.Single(Items(Member(methods["cheat"], "errors")));
        Assert.Equal(99L, Convert.ToInt64(Member(error, "code"), CultureInfo.InvariantCulture));
    }

    private static object? Member(object? value, string name) => value switch
    {
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Object } e => e.TryGetProperty(name, out System.Text.Json.JsonElement m) ? Plain(m) : null,
        System.Collections.IDictionary map => map.Contains(name) ? map[name] : null,
        _ => throw new InvalidOperationException($"Not an object: {value}"),
    };

    private static IEnumerable<object?> Items(object? value) => value switch
    {
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } e => e.EnumerateArray().Select(Plain).ToArray(),
        System.Collections.IEnumerable list and not string => list.Cast<object?>().ToArray(),
        _ => throw new InvalidOperationException($"Not an array: {value}"),
    };

    private static object? Plain(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => e.GetString(),
        System.Text.Json.JsonValueKind.Number => e.GetInt64(),
        System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Array => e,
        _ => null,
    };
}
