using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;

namespace TinyRpc.MessagePack.Tests;

/// <summary>Untrusted requests get a parse or invalid-request error, cost little, and never throw anything else.</summary>
public class HostileInputTests
{
    private const int Parse = RpcErrorCodes.ParseError;
    private const int Invalid = RpcErrorCodes.InvalidRequest;

    // [0, 7, "add", [1, [2, "x"], {"k": nil}, 1.5]]
    private static readonly byte[] Valid = Hex.Bytes("94 00 07 a3616464 94 01 9202a178 81a16bc0 cb3ff8000000000000");

    public static TheoryData<string, string, int, long> Messages => new()
    {
        // name, message, expected code, msgid expected in the error reply (-1: nil)
        { "empty", "", Parse, -1 },
        { "a reserved type code", "c1", Parse, -1 },
        { "truncated envelope", "94 00 07 a3 61", Parse, -1 },
        { "truncated string header", "94 00 07 d9", Parse, -1 },
        { "truncated integer", "94 00 ce 00 00", Parse, -1 },
        { "array claiming billions", "dd 7fffffff 00", Parse, -1 },
        { "array claiming 4 billion", "dd ffffffff", Parse, -1 },
        { "map claiming billions", "df 7fffffff 00 00", Parse, -1 },
        { "params claiming billions", "94 00 07 a3616464 dd 7fffffff 01", Parse, -1 },
        { "string claiming 4 GB", "94 00 07 db ffffffff 00", Parse, -1 },
        { "binary claiming 4 GB", "94 00 07 a3616464 91 c6 ffffffff", Parse, -1 },
        { "extension claiming 4 GB", "94 00 07 a3616464 91 c9 ffffffff 01", Parse, -1 },
        { "trailing bytes", "94 00 07 a3616464 90 00", Parse, -1 },
        { "two messages", "94 00 07 a3616464 90 94 00 08 a3616464 90", Parse, -1 },
        { "invalid UTF-8 in the method", "94 00 07 a2 c328 90", Parse, -1 },
        { "invalid UTF-8 in an argument", "94 00 07 a3616464 91 a1 ff", Parse, -1 },
        { "a map", "81 a16d a16e", Invalid, -1 },
        { "a string", "a3616464", Invalid, -1 },
        { "nil", "c0", Invalid, -1 },
        { "an empty array", "90", Invalid, -1 },
        { "type not an integer", "94 a130 07 a3616464 90", Invalid, -1 },
        { "type 5", "94 05 07 a3616464 90", Invalid, -1 },
        { "a response", "94 01 07 c0 c0", Invalid, -1 },
        { "a request with 3 elements", "93 00 07 a3616464", Invalid, -1 },
        { "a request with 5 elements", "95 00 07 a3616464 90 c0", Invalid, -1 },
        { "a notification with 4 elements", "94 02 a3616464 90 c0", Invalid, -1 },
        { "msgid a string", "94 00 a17a a3616464 90", Invalid, -1 },
        { "msgid nil", "94 00 c0 a3616464 90", Invalid, -1 },
        { "msgid a float", "94 00 cb3ff0000000000000 a3616464 90", Invalid, -1 },
        { "msgid negative", "94 00 ff a3616464 90", Invalid, -1 },
        { "msgid as a negative int64", "94 00 d3 ffffffffffffffff a3616464 90", Invalid, -1 },
        { "msgid beyond 32 bits", "94 00 cf 0000000100000000 a3616464 90", Invalid, -1 },
        { "msgid beyond 64-bit signed", "94 00 cf ffffffffffffffff a3616464 90", Invalid, -1 },
        { "method an integer", "94 00 07 01 90", Invalid, 7 },
        { "method binary", "94 00 07 c403616464 90", Invalid, 7 },
        { "params a map (keyword arguments)", "94 00 07 a3616464 81a161 01", Invalid, 7 },
        { "params true", "94 00 07 a3616464 c3", Invalid, 7 }, // nil params are read as no parameters
        { "params a string", "94 00 07 a3616464 a178", Invalid, 7 },
        { "notification params a map", "93 02 a3616464 80", Invalid, -1 },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Bad_requests_get_parse_or_invalid_request_errors(string name, string hex, int code, long msgId)
    {
        var protocol = new MessagePackRpcProtocol();
        BadRequestException error = Assert.ThrowsAny<BadRequestException>(() => protocol.ParseRequest(Hex.Bytes(hex)));
        Assert.True(code == error.Code, $"{name}: {error.Code} {error.Message}");
        Assert.IsType(code == Parse ? typeof(MessagePackRpcParseException) : typeof(MessagePackRpcInvalidRequestException), error);

        // The error answers the client: [1, msgid or nil, [code, message], nil].
        var reply = (RpcErrorResponse)protocol.ParseReply(protocol.ErrorRespond(error).Serialize());
        Assert.Equal(code, reply.Code);
        Assert.Equal(msgId < 0 ? RpcId.Null : RpcId.FromNumber(msgId), reply.Id);
        Assert.Equal(error.Message, reply.Message);
    }

    [Fact]
    public void Headers_that_claim_billions_of_elements_allocate_nothing_big()
    {
        var protocol = new MessagePackRpcProtocol();
        string[] messages = ["dd 7fffffff 00", "df 7fffffff 00 00", "94 00 07 a3616464 dd 7fffffff 01", "94 00 07 a3616464 91 c6 ffffffff"];
        foreach (string hex in messages)
        {
            byte[] data = Hex.Bytes(hex);
            Assert.ThrowsAny<BadRequestException>(() => protocol.ParseRequest(data)); // warm up
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.ThrowsAny<BadRequestException>(() => protocol.ParseRequest(data));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64 * 1024, $"{hex}: {allocated} bytes allocated");
        }
    }

    [Theory]
    [InlineData(65)]
    [InlineData(100_000)]
    public void Deep_nesting_is_a_parse_error_without_recursion(int depth)
    {
        var protocol = new MessagePackRpcProtocol();
        // [0, 1, "m", [[[[...]]]]] with the params array nested depth times in all.
        byte[] prefix = Hex.Bytes("94 00 01 a16d");
        byte[] data = new byte[prefix.Length + depth];
        prefix.CopyTo(data, 0);
        data.AsSpan(prefix.Length, depth - 1).Fill(0x91);
        data[^1] = 0x90;
        MessagePackRpcParseException error = Assert.Throws<MessagePackRpcParseException>(() => protocol.ParseRequest(data));
        Assert.Contains("deeper than 64", error.Message, StringComparison.Ordinal);

        Assert.Throws<InvalidReplyException>(() => protocol.ParseReply(data));
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_accepted_and_the_formatters_keep_the_limit()
    {
        var protocol = new MessagePackRpcProtocol(new MessagePackRpcProtocolOptions { MaxDepth = 5 });
        // [0, 1, "m", [[[[]]]]]: the envelope, params and three more levels.
        var request = (RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 01 a16d 91 91 91 90"));
        Assert.Equal(1, request.Arguments.Count);
        Assert.Throws<MessagePackRpcParseException>(() => protocol.ParseRequest(Hex.Bytes("94 00 01 a16d 91 91 91 91 90")));
        Assert.Equal(5, protocol.SerializerOptions.Security.MaximumObjectGraphDepth);
    }

    [Fact]
    public void Messages_over_the_size_limit_are_refused_before_reading()
    {
        var protocol = new MessagePackRpcProtocol(new MessagePackRpcProtocolOptions { MaxMessageSize = 16 });
        byte[] data = new MessagePackRpcProtocol().CreateRequest("method", ["a long enough argument"]).Serialize().ToArray();
        MessagePackRpcParseException error = Assert.Throws<MessagePackRpcParseException>(() => protocol.ParseRequest(data));
        Assert.Contains("at most 16", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidReplyException>(() => protocol.ParseReply(data));
    }

    [Fact]
    public void Every_truncation_of_a_valid_request_is_a_parse_error()
    {
        var protocol = new MessagePackRpcProtocol();
        Assert.IsType<MessagePackRpcRequest>(protocol.ParseRequest(Valid));
        for (int length = 0; length < Valid.Length; length++)
        {
            MessagePackRpcParseException error = Assert.Throws<MessagePackRpcParseException>(() => protocol.ParseRequest(Valid.AsMemory(0, length)));
            Assert.Equal(Parse, error.Code);
        }
    }

    [Fact]
    public void Every_byte_changed_gives_a_request_or_a_documented_error()
    {
        var protocol = new MessagePackRpcProtocol();
        byte[] replacements = [0x00, 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc4, 0xc7, 0xca, 0xcb, 0xcc, 0xcf, 0xd0, 0xd4, 0xd9, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];
        for (int i = 0; i < Valid.Length; i++)
        {
            foreach (byte replacement in replacements)
            {
                byte[] data = (byte[])Valid.Clone();
                data[i] = replacement;
                Check(protocol, data);
                Check(protocol, data.AsMemory(0, data.Length - 1));
            }
        }
    }

    private static void Check(MessagePackRpcProtocol protocol, ReadOnlyMemory<byte> data)
    {
        RpcMessage parsed;
        try
        {
            parsed = protocol.ParseRequest(data);
        }
        catch (Exception e) when (e is MessagePackRpcParseException or MessagePackRpcInvalidRequestException)
        {
            Assert.NotEqual(0, protocol.ErrorRespond((BadRequestException)e).Serialize().Length);
            return;
        }

        // Whatever parsed must read back as values or as an invalid-params error, and answer.
        var request = Assert.IsType<MessagePackRpcRequest>(parsed);
        for (int i = 0; i < request.Arguments.Count; i++)
        {
            try
            {
                request.Arguments.TryGet(i, "p", out object? _);
                request.Arguments.TryGet(i, "p", out int _);
                request.Arguments.TryGet(i, "p", out string? _);
                request.Arguments.TryGet(i, "p", out double[]? _);
            }
            catch (InvalidParamsException)
            {
            }
        }

        _ = request.Method;
        request.ErrorRespond(new InvalidParamsException("p", "is wrong"));
    }

    [Fact]
    public void Every_truncation_or_changed_byte_of_a_reply_is_an_invalid_reply_at_most()
    {
        var protocol = new MessagePackRpcProtocol();
        byte[][] replies =
        [
            Hex.Bytes("94 01 07 c0 93 01 a178 81a16bcb3ff8000000000000"),
            Hex.Bytes("94 01 07 92 63 a4 6f6f7073 c0"),
        ];
        byte[] replacements = [0x00, 0x7f, 0x80, 0x90, 0xa0, 0xc0, 0xc1, 0xc3, 0xcb, 0xcf, 0xd0, 0xd9, 0xdc, 0xdd, 0xdf, 0xff];
        foreach (byte[] valid in replies)
        {
            for (int length = 0; length < valid.Length; length++)
            {
                Assert.Throws<InvalidReplyException>(() => protocol.ParseReply(valid.AsMemory(0, length)));
            }

            for (int i = 0; i < valid.Length; i++)
            {
                foreach (byte replacement in replacements)
                {
                    byte[] data = (byte[])valid.Clone();
                    data[i] = replacement;
                    RpcResponse reply;
                    try
                    {
                        reply = (RpcResponse)protocol.ParseReply(data);
                    }
                    catch (InvalidReplyException)
                    {
                        continue;
                    }

                    if (reply is RpcErrorResponse error)
                    {
                        Assert.NotNull(error.Message);
                        Assert.IsAssignableFrom<RpcException>(error.ToException());
                    }
                    else
                    {
                        try
                        {
                            reply.GetResult<object?>();
                            reply.GetResult<int[]?>();
                        }
                        catch (InvalidReplyException)
                        {
                        }
                    }
                }
            }
        }
    }
}
