using TinyRpc;

namespace AotSample;

/// <summary>A user record: over MSGPACK-RPC a generated formatter writes it as a map keyed like its JSON.</summary>
public sealed record Item(string Name, int Count, List<string> Tags);

/// <summary>A contract whose MSGPACK-RPC types need no setup: the generator writes their formatters.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IInventory
{
    [Public]
    Task<Item> FindAsync(string name);

    [Public]
    Task<List<Item>> ListAsync();

    [Public]
    Task<Dictionary<string, int>> CountsAsync(IReadOnlyList<string> names);

    [Public]
    Task<object[]> SummaryAsync();
}

/// <summary>The implementation.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class Inventory : IInventory
{
    private readonly List<Item> _items = [new Item("bolt", 40, ["steel"]), new Item("nut", 12, [])];

    public Task<Item> FindAsync(string name) => Task.FromResult(_items.Single(i => i.Name == name));

    public Task<List<Item>> ListAsync() => Task.FromResult(_items);

    public Task<Dictionary<string, int>> CountsAsync(IReadOnlyList<string> names)
        => Task.FromResult(_items.Where(i => names.Contains(i.Name)).ToDictionary(i => i.Name, i => i.Count));

    public Task<object[]> SummaryAsync() => Task.FromResult<object[]>(["items", _items.Count, true]);
}
