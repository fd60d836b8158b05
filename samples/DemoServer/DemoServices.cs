using System.Text;
using TinyRpc.Exceptions;
namespace TinyRpc.Samples.DemoServer;

/// <summary>
/// The methods of the JSON-RPC 2.0 specification's examples, with their exact semantics, and a few more for
/// trying clients.
/// </summary>
[RpcService]
public sealed partial class DemoService(TextWriter? log)
{
    private int _sleeping;

    /// <summary>subtract(minuend, subtrahend), by position or by name; a result outside 64 bits is an error reply, never a wrapped number.</summary>
    [Public("subtract")]
    public static long Subtract(long minuend, long subtrahend) => checked(minuend - subtrahend);

    /// <summary>sum(...): any number of numbers (Enumerable.Sum is checked: an overflow is an error reply).</summary>
    [Public("sum")]
    public static long Sum(params long[] values) => values.Sum();

    /// <summary>A notification in the specification's examples: takes any numbers, answers nothing.</summary>
    [Public("update")]
    public void Update(params long[] values) => log?.WriteLine($"update({string.Join(", ", values)})");

    /// <summary>A notification in the specification's examples.</summary>
    [Public("notify_hello")]
    public void NotifyHello(params long[] values) => log?.WriteLine($"notify_hello({string.Join(", ", values)})");

    /// <summary>A notification in the specification's examples.</summary>
    [Public("notify_sum")]
    public void NotifySum(params long[] values) => log?.WriteLine($"notify_sum({string.Join(", ", values)}) = {values.Sum()}");

    /// <summary>get_data(): <c>["hello", 5]</c>.</summary>
    [Public("get_data")]
    public static object[] GetData() => ["hello", 5];

    /// <summary>reverse_string(s).</summary>
    [Public("reverse_string")]
    public static string ReverseString(string s)
    {
        return ReverseByCodePoint(s);
    }

    /// <summary>add(a, b).</summary>
    [Public("add")]
    public static double Add(double a, double b) => a + b;

    /// <summary>cheat(): always fails with code 99, tinyrpc's fixed error message and a data object.</summary>
    /// <exception cref="CheatingException">Always.</exception>
    [Public("cheat")]
    public static void Cheat() => throw new CheatingException();

    /// <summary>
    /// sleep(ms): answers <paramref name="ms"/> after <paramref name="ms"/> milliseconds, or never if the call is
    /// withdrawn first (its client left); for trying timeouts and a server that dies with calls in flight.
    /// </summary>
    [Public("sleep")]
    public async Task<long> Sleep(long ms, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ms);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ms, int.MaxValue);
        Interlocked.Increment(ref _sleeping);
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(ms), cancellationToken);
            return ms;
        }
        finally
        {
            Interlocked.Decrement(ref _sleeping);
        }
    }

    /// <summary>pending(): the number of sleep calls running now.</summary>
    [Public("pending")]
    public long Pending() => Volatile.Read(ref _sleeping);

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

/// <summary>tinyrpc's <c>FixedErrorMessageMixin</c> example: code 99, a fixed message, and data.</summary>
public sealed class CheatingException() : RpcException(99, "Ah, that's cheating",
    new Dictionary<string, object> { ["reason"] = "this method always refuses", ["retry"] = false });

/// <summary>One service class registered twice, under <c>sitea.</c> and <c>siteb.</c> (tinyrpc's dispatcher example).</summary>
[RpcService]
public sealed partial class Website(string site)
{
    /// <summary>The site's name.</summary>
    [Public("get_site")]
    public string GetSite() => site;

    /// <summary>A user's details as seen by this site.</summary>
    [Public("get_user_info")]
    public Dictionary<string, string> GetUserInfo(string user) => new() { ["name"] = user, ["site"] = site };
}
