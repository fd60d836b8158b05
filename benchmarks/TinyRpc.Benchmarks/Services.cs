using System.Text;
using StreamJsonRpc;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;

namespace TinyRpc.Benchmarks;

/// <summary>The two measured methods, served by every contender in every benchmark.</summary>
[RpcService]
public partial class BenchService
{
    [Public("reverse_string")]
    public string ReverseString(string s) => Reverse(s);

    [Public("add")]
    public int Add(int a, int b) => a + b;

    /// <summary>One allocation: the result.</summary>
    public static string Reverse(string s) => string.Create(s.Length, s, static (span, source) =>
    {
        source.AsSpan().CopyTo(span);
        span.Reverse();
    });
}

/// <summary>The client's view of <see cref="BenchService"/>: the generator emits its proxy.</summary>
[RpcService]
public interface IBenchService
{
    [Public("reverse_string")]
    Task<string> ReverseStringAsync(string s);

    [Public("add")]
    Task<int> AddAsync(int a, int b);
}

/// <summary><see cref="BenchService"/> as StreamJsonRpc serves it: the same names, the same bodies.</summary>
public sealed class StreamJsonRpcService
{
    [JsonRpcMethod("reverse_string")]
    public string ReverseString(string s) => BenchService.Reverse(s);

    [JsonRpcMethod("add")]
    public int Add(int a, int b) => a + b;
}

/// <summary>The measured calls and their wire form.</summary>
public static class Payloads
{
    /// <summary>The argument of reverse_string: 20 bytes of UTF-8.</summary>
    public const string Text = "The quick brown fox!";

    public const int A = 17;

    public const int B = 25;

    public const string ReverseString = "reverse_string";

    public const string Add = "add";

    /// <summary>The request a client sends for <paramref name="method"/>, as TinyRpc's client writes it.</summary>
    public static byte[] JsonRequest(string method) => method switch
    {
        ReverseString => """{"jsonrpc":"2.0","method":"reverse_string","params":["The quick brown fox!"],"id":1}"""u8.ToArray(),
        Add => """{"jsonrpc":"2.0","method":"add","params":[17,25],"id":1}"""u8.ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Not a measured method."),
    };

    /// <summary>
    /// The MSGPACK-RPC request (<c>[0, 1, method, params]</c>) for <paramref name="method"/>, written by a fresh
    /// <see cref="MessagePackRpcProtocol"/> as TinyRpc's client writes its first call.
    /// </summary>
    public static byte[] MessagePackRequest(string method) => MessagePackRequest(method, Text);

    /// <summary>The MSGPACK-RPC request for <paramref name="method"/> with <paramref name="text"/> as reverse_string's argument.</summary>
    public static byte[] MessagePackRequest(string method, string text) => (method switch
    {
        ReverseString => new MessagePackRpcProtocol().CreateRequest(ReverseString, [text]),
        Add => new MessagePackRpcProtocol().CreateRequest(Add, [A, B]),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Not a measured method."),
    }).Serialize().ToArray();

    /// <summary>The request for <paramref name="method"/> with <paramref name="text"/> as reverse_string's argument.</summary>
    public static byte[] JsonRequest(string method, string text) => method == ReverseString
        ? Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","method":"reverse_string","params":["{{text}}"],"id":1}""")
        : JsonRequest(method);

    /// <summary>The response to <see cref="JsonRequest(string, string)"/>, byte for byte as TinyRpc's server writes it.</summary>
    public static byte[] JsonResponse(string method, string text) => method == ReverseString
        ? Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":1,"result":"{{BenchService.Reverse(text)}}"}""")
        : JsonResponse(method);

    /// <summary>
    /// An argument of <paramref name="size"/> ASCII letters (so <paramref name="size"/> bytes of UTF-8, nothing to
    /// escape in JSON), for the message-size scaling.
    /// </summary>
    public static string TextOfSize(int size) => string.Create(size, 0, static (span, _) =>
    {
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (char)('a' + (i % 26));
        }
    });

    /// <summary>The response every server must produce for <see cref="JsonRequest(string)"/>.</summary>
    public static byte[] JsonResponse(string method) => method switch
    {
        ReverseString => """{"jsonrpc":"2.0","id":1,"result":"!xof nworb kciuq ehT"}"""u8.ToArray(),
        Add => """{"jsonrpc":"2.0","id":1,"result":42}"""u8.ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Not a measured method."),
    };
}
