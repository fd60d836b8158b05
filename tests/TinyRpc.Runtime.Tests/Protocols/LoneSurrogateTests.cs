using System.Text;
using System.Text.Json.Nodes;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>
/// A string with a surrogate that has no pair cannot be encoded as UTF-8: it is refused, never sent with U+FFFD
/// in its place.
/// </summary>
public class LoneSurrogateTests
{
    private static readonly JsonRpcProtocol Protocol = new();

    // Theory data names them by index: the test framework's own serialization of theory data would already put
    // U+FFFD in place of a lone surrogate.
    private static readonly string[] s_loneSurrogates = ["a\uD800b", "\uDC00", "ab\uD83D", "\uDE00\uD83D"];

    public static TheoryData<int> LoneSurrogates => [0, 1, 2, 3];

    private static async Task<JsonNode> CallAsync<T>(T result)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("give", (request, _) => new(request.Respond(result)));
        RpcMessage? reply = await dispatcher.DispatchAsync(Protocol.ParseRequest("""{"jsonrpc":"2.0","method":"give","id":1}"""u8.ToArray()));
        return JsonNode.Parse(reply!.Serialize().Span)!;
    }

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task A_string_result_with_a_lone_surrogate_is_an_internal_error(int index)
    {
        JsonNode reply = await CallAsync(s_loneSurrogates[index]);
        Assert.True(reply["result"] is null, reply.ToJsonString());
        Assert.Equal(RpcErrorCodes.InternalError, (int)reply["error"]!["code"]!);
    }

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task A_string_held_as_object_with_a_lone_surrogate_is_an_internal_error(int index)
    {
        JsonNode reply = await CallAsync<object>(s_loneSurrogates[index]);
        Assert.Equal(RpcErrorCodes.InternalError, (int)reply["error"]!["code"]!);
    }

    [Fact]
    public async Task Surrogate_pairs_and_plain_text_pass_unchanged()
    {
        foreach (string text in new[] { "a\U0001d11eb\U0001f600c", "\U0001F600", "plain", "" })
        {
            Assert.Equal(text, (string?)(await CallAsync(text))["result"]);
            Assert.Equal(text, (string?)(await CallAsync<object>(text))["result"]);
        }
    }

    [Fact]
    public void A_client_argument_with_a_lone_surrogate_is_refused_before_sending()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Protocol.CreateRequestBuilder("echo").Add("a\uD800b").Build());
        Assert.Contains("lone surrogate (U+D800 at index 1)", e.Message);
        Assert.Throws<ArgumentException>(() => Protocol.CreateRequestBuilder("echo").Add("s", "\uDC00").Build());
    }

    [Fact]
    public void The_encoders_of_the_platform_would_have_replaced_it_silently()
    {
        // Why the check exists: UTF-8 encoding in .NET puts U+FFFD where a lone surrogate was.
        Assert.Equal("a\uFFFDb", Encoding.UTF8.GetString(Encoding.UTF8.GetBytes("a\uD800b")));
    }
}

