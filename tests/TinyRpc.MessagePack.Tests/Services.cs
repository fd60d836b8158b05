using MessagePack;
using MessagePack.Formatters;
using TinyRpc.Exceptions;

namespace TinyRpc.MessagePack.Tests;

/// <summary>The client side of <see cref="Catalog"/>: one method of each shape the generator handles.</summary>
[RpcService]
public interface ICatalog
{
    [Public("reverse_string")]
    Task<string> ReverseStringAsync(string s);

    [Public("add")]
    Task<int> AddAsync(int a, int b);

    [Public("greet")]
    Task<string> GreetAsync(string name, string? title = null, string greeting = "Hello");

    [Public("move")]
    Task<Point> MoveAsync(Point point, int dx, int dy);

    [Public("sum")]
    Task<int> SumAsync(params int[] values);

    [Public("join")]
    Task<string> JoinAsync(string separator, params string[] parts);

    [Public("record")]
    [OneWay]
    Task RecordAsync(string entry);

    [Public("recorded")]
    Task<string[]> RecordedAsync();

    [Public("nothing")]
    Task NothingAsync();
}

/// <summary>Serves <see cref="ICatalog"/> through its generated dispatch table.</summary>
[RpcService]
public partial class Catalog : ICatalog
{
    private readonly List<string> _entries = [];
    private readonly TaskCompletionSource _firstRecorded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first entry has been recorded: the only sign that a notification has run.</summary>
    public Task FirstRecorded => _firstRecorded.Task;

    public Task<string> ReverseStringAsync(string s)
    {
        char[] chars = s.ToCharArray();
        Array.Reverse(chars);
        var reversed = new string(chars);
        return reversed == s ? throw new PalindromeException() : Task.FromResult(reversed);
    }

    public Task<int> AddAsync(int a, int b) => Task.FromResult(a + b);

    public Task<string> GreetAsync(string name, string? title = null, string greeting = "Hello")
        => Task.FromResult(title is null ? $"{greeting}, {name}" : $"{greeting}, {title} {name}");

    public Task<Point> MoveAsync(Point point, int dx, int dy) => Task.FromResult(new Point(point.X + dx, point.Y + dy));

    public Task<int> SumAsync(params int[] values) => Task.FromResult(values.Sum());

    public Task<string> JoinAsync(string separator, params string[] parts) => Task.FromResult(string.Join(separator, parts));

    public Task RecordAsync(string entry)
    {
        lock (_entries)
        {
            _entries.Add(entry);
        }

        _firstRecorded.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<string[]> RecordedAsync()
    {
        lock (_entries)
        {
            return Task.FromResult(_entries.ToArray());
        }
    }

    public Task NothingAsync() => Task.CompletedTask;
}

/// <summary>tinyrpc 1.1's custom error example (section 1.6.4): code 99 and a fixed message.</summary>
public sealed class PalindromeException() : RpcException(99, "Ah, that's cheating!");

/// <summary>A user type that travels as <c>[x, y]</c> through a hand-written formatter.</summary>
public sealed record Point(int X, int Y);

/// <summary>A user type that no contract names: no formatter is generated for it, and only a user resolver could carry it.</summary>
public sealed record Unlisted(int X, int Y);

/// <summary>A formatter written by hand, as an AOT app would write or generate it: no reflection.</summary>
public sealed class PointFormatter : IMessagePackFormatter<Point>
{
    public void Serialize(ref MessagePackWriter writer, Point value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(2);
        writer.Write(value.X);
        writer.Write(value.Y);
    }

    public Point Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("A point is [x, y].");
        }

        return new Point(reader.ReadInt32(), reader.ReadInt32());
    }
}

/// <summary>The app's resolver: knows <see cref="Point"/> and nothing else.</summary>
public sealed class TestResolver : IFormatterResolver
{
    public static readonly TestResolver Instance = new();

    private static readonly PointFormatter Point = new();

    public IMessagePackFormatter<T>? GetFormatter<T>() => typeof(T) == typeof(Point) ? (IMessagePackFormatter<T>)(object)Point : null;

    public static MessagePackSerializerOptions Options { get; } = new(Instance);
}
