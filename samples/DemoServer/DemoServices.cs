namespace TinyRpc.Samples.DemoServer;

/// <summary>
/// The methods of the JSON-RPC 2.0 specification's examples, with their exact semantics, and a few more for
/// trying clients.
/// </summary>
[RpcService]
public sealed partial class DemoService(TextWriter? log)
{
    /// <summary>subtract(minuend, subtrahend), by position or by name.</summary>
    [Public("subtract")]
    public static long Subtract(long minuend, long subtrahend) => minuend - subtrahend;

    /// <summary>sum(...): any number of numbers.</summary>
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
        char[] chars = s.ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }

    /// <summary>add(a, b).</summary>
    [Public("add")]
    public static double Add(double a, double b) => a + b;

    /// <summary>cheat(): always fails with code 99, tinyrpc's fixed error message and a data object.</summary>
    [Public("cheat")]
    public static void Cheat() => throw new CheatingException();
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
