using MessagePack;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;

namespace TinyRpc.MessagePack.Tests;

/// <summary>
/// A string with a surrogate that has no pair cannot be encoded as UTF-8, which msgpack strings are: it is refused,
/// never sent with U+FFFD in its place.
/// </summary>
public class LoneSurrogateTests
{
    private static readonly MessagePackRpcProtocol Protocol = new();

    // Theory data names them by index: the test framework's own serialization of theory data would already put
    // U+FFFD in place of a lone surrogate.
    private static readonly string[] s_loneSurrogates = ["a\uD800b", "\uDC00", "ab\uD83D", "\uDE00\uD83D"];

    public static TheoryData<int> LoneSurrogates => [0, 1, 2, 3];

    private static async Task<RpcMessage> CallAsync<T>(T result)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("give", (request, _) => new(request.Respond(result)));
        byte[] request = MessagePackSerializer.Serialize(new object[] { 0, 1, "give", Array.Empty<object>() });
        RpcMessage? reply = await dispatcher.DispatchAsync(Protocol.ParseRequest(request));
        return Protocol.ParseReply(reply!.Serialize());
    }

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task A_string_result_with_a_lone_surrogate_is_an_internal_error(int index)
    {
        RpcErrorResponse error = Assert.IsAssignableFrom<RpcErrorResponse>(await CallAsync(s_loneSurrogates[index]));
        Assert.Equal(RpcErrorCodes.InternalError, error.Code);
    }

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task A_lone_surrogate_held_as_object_or_in_a_list_is_an_internal_error(int index)
    {
        Assert.Equal(RpcErrorCodes.InternalError, Assert.IsAssignableFrom<RpcErrorResponse>(await CallAsync<object>(s_loneSurrogates[index])).Code);
        Assert.Equal(RpcErrorCodes.InternalError, Assert.IsAssignableFrom<RpcErrorResponse>(await CallAsync<object[]>(["ok", s_loneSurrogates[index]])).Code);
    }

    [Fact]
    public async Task Surrogate_pairs_and_plain_text_pass_unchanged()
    {
        foreach (string text in new[] { "a\U0001d11eb\U0001f600c", "\U0001F600", "plain", "" })
        {
            Assert.Equal(text, ((RpcResponse)await CallAsync(text)).GetResult<string>());
            Assert.Equal(text, ((RpcResponse)await CallAsync<object>(text)).GetResult<string>());
        }
    }

    [Fact]
    public void A_client_argument_with_a_lone_surrogate_is_refused_before_sending()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Protocol.CreateRequestBuilder("echo").Add("a\uD800b").Build());
        Assert.Contains("lone surrogate (U+D800 at index 1)", e.Message);
    }
}
