using System.Text;
using System.Text.Json.Serialization;
using TinyRpc;
using TinyRpc.Exceptions;

namespace AotSample;

/// <summary>A user type carried as a parameter and a result.</summary>
public sealed record Point(double X, double Y);

/// <summary>The contract: a generated proxy implements it on the client.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IGeometry
{
    [Public]
    Task<int> AddAsync(int a, int b);

    [Public]
    Task<string> ReverseStringAsync(string s);

    [Public]
    Task<Point> MidpointAsync(Point a, Point b);

    [Public]
    Task<Point> FarthestAsync(Point[] points);

    [Public]
    Task<double> DivideAsync(double a, double b);
}

/// <summary>The implementation: a generated dispatch table serves it.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class Geometry : IGeometry
{
    public Task<int> AddAsync(int a, int b) => Task.FromResult(checked(a + b));

    public Task<string> ReverseStringAsync(string s) => Task.FromResult(ReverseByCodePoint(s));

    public Task<Point> MidpointAsync(Point a, Point b) => Task.FromResult(new Point((a.X + b.X) / 2, (a.Y + b.Y) / 2));

    public Task<Point> FarthestAsync(Point[] points) => Task.FromResult(points.MaxBy(p => (p.X * p.X) + (p.Y * p.Y))!);

    public Task<double> DivideAsync(double a, double b) => b == 0 ? throw new RpcException(99, "Division by zero") : Task.FromResult(a / b);

    // By code point, as Python's s[::-1]: a character outside the Basic Multilingual Plane (a surrogate pair) stays whole.
    private static string ReverseByCodePoint(string s) => string.Create(s.Length, s, static (reversed, text) =>
    {
        int end = reversed.Length;
        foreach (Rune rune in text.EnumerateRunes())
        {
            end -= rune.Utf16SequenceLength;
            rune.EncodeToUtf16(reversed[end..]);
        }
    });
}

[JsonSerializable(typeof(Point))]
[JsonSerializable(typeof(Point[]))]
[JsonSerializable(typeof(Item))]
[JsonSerializable(typeof(List<Item>))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(object[]))]
[JsonSerializable(typeof(bool))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
