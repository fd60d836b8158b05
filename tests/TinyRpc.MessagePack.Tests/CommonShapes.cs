using System.Text.Json.Serialization;

namespace TinyRpc.MessagePack.Tests;

/// <summary>A positional record: built through its constructor; one member renamed for both protocols.</summary>
public sealed record User(string Name, int Age, [property: JsonPropertyName("e-mail")] string? Email, List<string> Tags);

/// <summary>A class built by its parameterless constructor and setters, with an ignored and an init-only member.</summary>
public sealed class Order
{
    public int Id { get; set; }

    public User? Owner { get; set; }

    public Dictionary<string, int> Lines { get; set; } = [];

    public Shade? Shade { get; init; }

    public string Note { get; set; } = "none";

    [JsonIgnore]
    public string Secret { get; set; } = "kept";

    public int Total => Lines.Values.Sum();
}

/// <summary>A struct.</summary>
public struct Size
{
    public int Width { get; set; }

    public int Height { get; set; }
}

/// <summary>A colour, sent as its number over both protocols.</summary>
public enum Shade
{
    Red = 1,
    Green = 2,
    Blue = 40000,
}

/// <summary>The common shapes JSON-RPC carries with no setup, one method each; MSGPACK-RPC must carry them too.</summary>
[RpcService]
public interface IShapes
{
    [Public("get_data")]
    Task<object[]> GetDataAsync();

    [Public("get_user_info")]
    Task<Dictionary<string, string>> GetUserInfoAsync(string user);

    [Public("describe")]
    Task<Dictionary<string, object?>> DescribeAsync(Dictionary<string, object?> input);

    [Public("doubled")]
    Task<List<int>> DoubledAsync(List<int> values);

    [Public("upper")]
    Task<IReadOnlyList<string>> UpperAsync(IReadOnlyList<string> words);

    [Public("halves")]
    Task<IEnumerable<double>> HalvesAsync(IEnumerable<double> values);

    [Public("groups")]
    Task<IReadOnlyDictionary<string, List<long>>> GroupsAsync(Dictionary<string, long[]> input);

    [Public("nullables")]
    Task<int?[]> NullablesAsync(int?[] values, long? extra);

    [Public("next_shade")]
    Task<Shade> NextShadeAsync(Shade shade);

    [Public("shades")]
    Task<Shade[]> ShadesAsync(List<Shade?> wanted);

    [Public("echo")]
    Task<object?> EchoAsync(object? value);

    [Public("older")]
    Task<User> OlderAsync(User user);

    [Public("users")]
    Task<List<User>> UsersAsync(int count);

    [Public("order")]
    Task<Order> OrderAsync(Order order);

    [Public("grow")]
    Task<Size?> GrowAsync(Size size, Size? by);

    [Public("later")]
    Task<DateTime> LaterAsync(DateTime at);

    [Public("shift")]
    Task<DateTimeOffset> ShiftAsync(DateTimeOffset at);

    [Public("same_guid")]
    Task<Guid> SameGuidAsync(Guid id);

    [Public("half")]
    Task<decimal> HalfAsync(decimal value);
}

/// <summary>Serves <see cref="IShapes"/>.</summary>
[RpcService]
public partial class Shapes : IShapes
{
    public Task<object[]> GetDataAsync() => Task.FromResult<object[]>(["hello", 5]);

    public Task<Dictionary<string, string>> GetUserInfoAsync(string user)
        => Task.FromResult(new Dictionary<string, string> { ["name"] = user, ["site"] = "sitea" });

    public Task<Dictionary<string, object?>> DescribeAsync(Dictionary<string, object?> input)
        => Task.FromResult(new Dictionary<string, object?>
        {
            ["count"] = input.Count,
            ["keys"] = input.Keys.Order(StringComparer.Ordinal).ToArray(),
            ["input"] = input,
            ["nothing"] = null,
        });

    public Task<List<int>> DoubledAsync(List<int> values) => Task.FromResult(values.Select(v => v * 2).ToList());

    public Task<IReadOnlyList<string>> UpperAsync(IReadOnlyList<string> words)
        => Task.FromResult<IReadOnlyList<string>>(words.Select(w => w.ToUpperInvariant()).ToArray());

    public Task<IEnumerable<double>> HalvesAsync(IEnumerable<double> values) => Task.FromResult(values.Select(v => v / 2));

    public Task<IReadOnlyDictionary<string, List<long>>> GroupsAsync(Dictionary<string, long[]> input)
        => Task.FromResult<IReadOnlyDictionary<string, List<long>>>(input.ToDictionary(p => p.Key + "!", p => p.Value.Reverse().ToList()));

    public Task<int?[]> NullablesAsync(int?[] values, long? extra)
        => Task.FromResult(values.Select(v => v + (int?)extra).Append(null).ToArray());

    public Task<Shade> NextShadeAsync(Shade shade) => Task.FromResult(shade switch { Shade.Red => Shade.Green, Shade.Green => Shade.Blue, _ => Shade.Red });

    public Task<Shade[]> ShadesAsync(List<Shade?> wanted) => Task.FromResult(wanted.Select(s => s ?? Shade.Blue).ToArray());

    public Task<object?> EchoAsync(object? value) => Task.FromResult(value);

    public Task<User> OlderAsync(User user) => Task.FromResult(user with { Age = user.Age + 1, Tags = [.. user.Tags, "older"] });

    public Task<List<User>> UsersAsync(int count)
        => Task.FromResult(Enumerable.Range(1, count).Select(i => new User("u" + i, i, i % 2 == 0 ? null : $"u{i}@example.org", [])).ToList());

    public Task<Order> OrderAsync(Order order)
        => Task.FromResult(new Order { Id = order.Id + 1, Owner = order.Owner, Lines = order.Lines, Shade = order.Shade ?? Shade.Red, Note = order.Note + "!", Secret = "changed" });

    public Task<DateTime> LaterAsync(DateTime at) => Task.FromResult(at.AddHours(1));

    public Task<DateTimeOffset> ShiftAsync(DateTimeOffset at) => Task.FromResult(at.AddMinutes(30));

    public Task<Guid> SameGuidAsync(Guid id) => Task.FromResult(id);

    public Task<decimal> HalfAsync(decimal value) => Task.FromResult(value / 2);

    public Task<Size?> GrowAsync(Size size, Size? by)
        => Task.FromResult<Size?>(by is null ? null : new Size { Width = size.Width + by.Value.Width, Height = size.Height + by.Value.Height });
}
