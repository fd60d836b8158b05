using TinyRpc.Exceptions;

namespace TinyRpc.Fuzz;

/// <summary>
/// A service whose generated table decodes many parameter shapes, by position and by name, so that the request
/// targets reach the generated argument decoding with every kind of wrong or odd value.
/// </summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
public sealed partial class FuzzService
{
    [Public]
    public static long Add(int a, long b) => (long)a + b;

    [Public]
    public static string Echo(string text, string? suffix = null) => text + suffix;

    [Public]
    public static double Scale(double value, float factor, bool negate = false) => negate ? -(value * factor) : value * factor;

    [Public]
    public static int Count(int[] values, List<string>? names, Dictionary<string, int>? weights)
        => values.Length + (names?.Count ?? 0) + (weights?.Count ?? 0);

    [Public]
    public static string Describe(int? maybe, byte small, short medium, uint count, ulong big, char letter)
        => $"{maybe}{small}{medium}{count}{big}{letter}";

    [Public]
    public static object? Identity(object? value) => value;

    [Public]
    public static void Notify(string message)
    {
        _ = message;
    }

    [Public]
    public static Task<int> LengthAsync(string text, CancellationToken cancellationToken) => Task.FromResult(text.Length);

    [Public]
    public static string Fail(string reason) => throw new ServerException(reason);
}
