using TinyRpc.Exceptions;

namespace TinyRpc.Integration.Tests;

/// <summary>tinyrpc's dispatcher example: two public methods (one under another name) and a secret one.</summary>
[RpcService]
public sealed partial class SomeWebsite(string site)
{
    public string Site { get; } = site;

    // Not [Public]: never callable.
    public string Secret() => "the password is swordfish";

    [Public("get_user_info")]
    public UserInfo GetUserInfo(string user) => new(user, Site);

    [Public("get_user_comment")]
    public string GetComment(int commentId) => $"comment {commentId} on {Site}";
}

public sealed record UserInfo(string Name, string Site);

/// <summary>tinyrpc's FixedErrorMessageMixin example.</summary>
public sealed class PalindromeException(string? data = null) : RpcException(99, "Ah, that's cheating", data);

/// <summary>The reverse-string example with the naming policy of a Python peer.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public partial class StringService
{
    [Public]
    public async Task<string> ReverseStringAsync(string s)
    {
        await Task.Yield();
        char[] chars = s.ToCharArray();
        Array.Reverse(chars);
        var reversed = new string(chars);
        return reversed == s ? throw new PalindromeException(s) : reversed;
    }
}

/// <summary>tinyrpc's comment example as a Python peer names it: the naming policy applies to parameters too.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
public sealed partial class CommentService
{
    [Public("get_user_comment")]
    public string GetComment(int commentId, string userName = "anon") => $"{userName}: comment {commentId}";

    [Public]
    public string FormatRange(int firstIndex, [RpcName("last")] int lastIndex, params string[] extraLabels)
        => $"{firstIndex}..{lastIndex}{string.Concat(extraLabels.Select(static l => " " + l))}";
}

/// <summary>An interface whose naming policy and [RpcName] the implementing class follows.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
public interface IInventory
{
    [Public]
    int CountItems(int warehouseId, [RpcName("sku")] string stockKeepingUnit);
}

[RpcService]
public sealed partial class Inventory : IInventory
{
    public int CountItems(int warehouseId, string stockKeepingUnit) => warehouseId * 100 + stockKeepingUnit.Length;
}

/// <summary>[RpcName] on a base method's parameter, which the override's parameter does not repeat.</summary>
public abstract class CounterBase
{
    [Public]
    public virtual int Add([RpcName("n")] int amount) => amount;
}

[RpcService]
public sealed partial class Counter : CounterBase
{
    public override int Add(int amount) => amount * 2;
}

/// <summary>One method of each shape the generated invoker supports.</summary>
[RpcService]
public partial class Calculator
{
    public int Notifications { get; private set; }

    public CancellationToken LastToken { get; private set; }

    [Public("subtract")]
    public int Subtract(int minuend, int subtrahend) => minuend - subtrahend;

    [Public("add")]
    public int Add(int a, int b = 10) => a + b;

    /// <summary>The JSON-RPC specification's variadic example.</summary>
    [Public("sum")]
    public static int Sum(params int[] values) => values.Sum();

    [Public("join")]
    public string Join(string separator, params string[] parts) => string.Join(separator, parts);

    [Public("greet")]
    public string Greet(string name, string? title = null, string greeting = "Hello")
        => title is null ? $"{greeting}, {name}" : $"{greeting}, {title} {name}";

    [Public("notify")]
    public void Notify() => Notifications++;

    [Public("wait")]
    public async Task WaitAsync(int milliseconds, CancellationToken cancellationToken)
    {
        LastToken = cancellationToken;
        await Task.Delay(milliseconds, cancellationToken);
    }

    [Public("token_can_cancel")]
    public ValueTask<bool> TokenCanCancelAsync(CancellationToken cancellationToken)
    {
        LastToken = cancellationToken;
        return ValueTask.FromResult(cancellationToken.CanBeCanceled);
    }

    [Public("done")]
    public ValueTask DoneAsync() => ValueTask.CompletedTask;

    [Public("fail")]
    public int Fail(string message) => throw new InvalidOperationException(message);

    [Public("divide")]
    public double Divide(double a, double b) => a / b;

    [Public("count")]
    public int Count(List<int>? values) => values?.Count ?? -1;

    [Public("scale")]
    public static long Scale(long value, int factor = 2) => value * factor;
}

/// <summary>A contract shared by client and server: [Public] on the interface, names from its settings.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public interface IEchoService
{
    [Public]
    Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);

    [Public]
    ValueTask<int> SumAsync(params int[] values);

    [Public]
    int Multiply(int a, int b);

    [Public]
    Task PingAsync();

    [Public]
    void Touch();

    [Public]
    [OneWay]
    Task RecordAsync(string entry);

    [Public("slow")]
    Task<int> SlowAsync(int milliseconds, CancellationToken cancellationToken);

    [Public]
    string? Describe(string? value);
}

/// <summary>Serves <see cref="IEchoService"/>; its methods are public through the interface's [Public].</summary>
[RpcService]
public partial class EchoService : IEchoService
{
    public List<string> Entries { get; } = [];

    public int Pings { get; private set; }

    public Task<string> EchoAsync(string text, CancellationToken cancellationToken = default) => Task.FromResult(text);

    public ValueTask<int> SumAsync(params int[] values) => ValueTask.FromResult(values.Sum());

    public int Multiply(int a, int b) => a * b;

    public async Task PingAsync()
    {
        await Task.Yield();
        Pings++;
    }

    public void Touch() => Pings++;

    public Task RecordAsync(string entry)
    {
        lock (Entries)
        {
            Entries.Add(entry);
        }

        return Task.CompletedTask;
    }

    public async Task<int> SlowAsync(int milliseconds, CancellationToken cancellationToken)
    {
        await Task.Delay(milliseconds, cancellationToken);
        return milliseconds;
    }

    string? IEchoService.Describe(string? value) => value is null ? null : "<" + value + ">";
}

/// <summary>Static and instance methods; RegisterStatic registers only the static ones.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.CamelCase)]
public partial class MathService
{
    [Public]
    public static int Square(int x) => x * x;

    [Public]
    public static Task<int> CubeAsync(int x) => Task.FromResult(x * x * x);

    [Public]
    public int Instance() => 42;
}
