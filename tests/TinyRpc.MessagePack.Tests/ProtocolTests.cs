using System.Text;
using MessagePack;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;

namespace TinyRpc.MessagePack.Tests;

/// <summary>tinyrpc's protocol operations for MSGPACK-RPC, checked byte for byte.</summary>
public class ProtocolTests
{
    private static string Utf8Hex(string text) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Describes_itself()
    {
        var protocol = new MessagePackRpcProtocol();
        Assert.Equal("msgpackrpc", protocol.Name);
        Assert.Equal("application/msgpack", protocol.ContentType);
        Assert.True(protocol.SupportsOutOfOrder);
        Assert.True(protocol.RaisesErrors);
        Assert.Equal(MessagePackRpcProtocolOptions.DefaultMaxDepth, protocol.MaxDepth);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessagePackRpcProtocol(new MessagePackRpcProtocolOptions { MaxDepth = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessagePackRpcProtocol(new MessagePackRpcProtocolOptions { MaxMessageSize = 0 }));
    }

    [Fact]
    public void Creates_requests_and_notifications()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcRequest request = protocol.CreateRequest("add", [1, 2]);
        Assert.Equal("940001a3616464920102", Hex.Of(request.Serialize()));
        Assert.Equal(RpcId.FromNumber(1), request.Id);
        Assert.False(request.OneWay);
        Assert.Equal("add", request.Method);
        Assert.Equal("add"u8.ToArray(), request.MethodUtf8.ToArray());
        Assert.Equal(2, request.Arguments.Count);
        Assert.True(request.Arguments.TryGet(1, "b", out int b));
        Assert.Equal(2, b);

        RpcRequest notification = protocol.CreateRequest("add", [1, 2], oneWay: true);
        Assert.Equal("9302a3616464920102", Hex.Of(notification.Serialize()));
        Assert.True(notification.OneWay);
        Assert.Equal(RpcId.None, notification.Id);
        Assert.Null(notification.Respond(3));
        Assert.Null(notification.Respond());
        Assert.Null(notification.ErrorRespond(new InvalidOperationException()));

        Assert.Equal("940002a46e6f6e6590", Hex.Of(protocol.CreateRequest("none").Serialize()));
        Assert.Equal("940003a2686990", Hex.Of(protocol.CreateRequest("hi", kwargs: new Dictionary<string, object?>()).Serialize()));
    }

    [Fact]
    public void The_builder_writes_typed_values_without_boxing()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcRequest request = protocol.CreateRequestBuilder("m")
            .Add(-1L).Add(1.5).Add(true).Add("é").Add<string?>(null).Add(new byte[] { 1, 2 }).Add(new[] { 1, 2 }).Add(1.5f).Add<int?>(7)
            .Build();
        Assert.Equal("940001a16d99ffcb3ff8000000000000c3a2c3a9c0c4020102920102ca3fc0000007", Hex.Of(request.Serialize()));
        RpcRequestBuilder built = protocol.CreateRequestBuilder("m");
        built.Build();
        Assert.Throws<InvalidOperationException>(() => built.Add(1));
    }

    [Fact]
    public void Keyword_arguments_are_an_invalid_request()
    {
        var protocol = new MessagePackRpcProtocol();
        var kwargs = new Dictionary<string, object?> { ["a"] = 1 };
        MessagePackRpcInvalidRequestException error = Assert.Throws<MessagePackRpcInvalidRequestException>(() => protocol.CreateRequest("add", [1], kwargs));
        Assert.Equal(RpcErrorCodes.InvalidRequest, error.Code);
        Assert.Contains("keyword arguments", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<InvalidRequestException>(error);

        RpcRequestBuilder builder = protocol.CreateRequestBuilder("add");
        Assert.Throws<MessagePackRpcInvalidRequestException>(() => builder.Add("a", 1));
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void Parses_a_request_and_reads_arguments_lazily()
    {
        var protocol = new MessagePackRpcProtocol();
        // [0, 7, "add", [1, "two", nil, [3]]]
        var request = Assert.IsType<MessagePackRpcRequest>(protocol.ParseRequest(Hex.Bytes("94 00 07 a3616464 94 01 a374776f c0 9103")));
        Assert.Equal(7u, request.MessageId);
        Assert.Equal(RpcId.FromNumber(7), request.Id);
        Assert.False(request.OneWay);
        Assert.Equal("add", request.Method);
        RpcArguments args = request.Arguments;
        Assert.False(args.IsNamed);
        Assert.Equal(4, args.Count);
        Assert.True(args.TryGet(0, "a", out int a));
        Assert.Equal(1, a);
        Assert.True(args.TryGet(1, "b", out string? two));
        Assert.Equal("two", two);
        Assert.True(args.IsNull(2));
        Assert.False(args.IsNull(0));
        Assert.True(args.TryGet(3, "d", out int[]? d));
        Assert.Equal([3], d!);
        Assert.False(args.TryGet(4, "e", out int _));
        Assert.False(args.TryGet("a", out int _));
        Assert.False(args.Contains("a"));
        Assert.Throws<InvalidOperationException>(() => args.GetName(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => args.IsNull(4));

        InvalidParamsException wrong = Assert.Throws<InvalidParamsException>(() => args.TryGet(1, "count", out int _));
        Assert.Equal(RpcErrorCodes.InvalidParams, wrong.Code);
        Assert.Equal("count", wrong.ParameterName);
        Assert.Contains("'count'", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("Int32", wrong.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidParamsException>(() => args.TryGet(0, "p", out Point? _));
    }

    [Fact]
    public void Parses_a_notification_and_an_empty_parameter_list()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcRequest notification = (RpcRequest)protocol.ParseRequest(Hex.Bytes("93 02 a46e6f7465 91 c3"));
        Assert.True(notification.OneWay);
        Assert.Equal(RpcId.None, notification.Id);
        Assert.Equal("note", notification.Method);
        Assert.True(notification.Arguments.TryGet(0, "flag", out bool flag) && flag);

        RpcRequest empty = (RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 00 a0 90"));
        Assert.Equal(RpcId.FromNumber(0), empty.Id);
        Assert.Equal("", empty.Method);
        Assert.Equal(0, empty.Arguments.Count);
    }

    [Fact]
    public void Nil_params_are_no_parameters()
    {
        // [0, 3, "ping", nil] and [2, "ping", nil]: the MSGPACK-RPC counterpart of JSON-RPC's "params": null.
        var protocol = new MessagePackRpcProtocol();
        RpcRequest request = (RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 03 a470696e67 c0"));
        Assert.Equal(RpcId.FromNumber(3), request.Id);
        Assert.Equal("ping", request.Method);
        Assert.Equal(0, request.Arguments.Count);

        RpcRequest notification = (RpcRequest)protocol.ParseRequest(Hex.Bytes("93 02 a470696e67 c0"));
        Assert.True(notification.OneWay);
        Assert.Equal(0, notification.Arguments.Count);

        // Anything else that is not an array is still refused.
        Assert.Throws<MessagePackRpcInvalidRequestException>(() => protocol.ParseRequest(Hex.Bytes("94 00 03 a470696e67 c3")));
    }

    [Fact]
    public void Responds_with_results_and_errors_as_tinyrpc_writes_them()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcRequest request = (RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 07 a3616464 90"));

        Assert.Equal("940107c003", Hex.Of(request.Respond(3)!.Serialize()));
        Assert.Equal("940107c0c0", Hex.Of(request.Respond()!.Serialize()));
        Assert.Equal("940107c0a26869", Hex.Of(request.Respond("hi")!.Serialize()));
        Assert.Equal("94010792" + "63b4" + Utf8Hex("Ah, that's cheating!") + "c0", Hex.Of(request.ErrorRespond(new PalindromeException())!.Serialize()));
        Assert.Equal("94010792d18300a4626f6f6dc0", Hex.Of(request.ErrorRespond(new InvalidOperationException("boom"))!.Serialize()));
        Assert.Equal("94010792d18300a4626f6f6dc0", Hex.Of(request.ErrorRespond("boom")!.Serialize()));
        Assert.Equal("94010792d180a7b0" + Utf8Hex("Method not found") + "c0", Hex.Of(request.ErrorRespond(new MethodNotFoundException("x"))!.Serialize()));

        // [code, message] has no place for data: it stays on the server, as in tinyrpc.
        Assert.Equal("94010792 05 a16d c0".Replace(" ", "", StringComparison.Ordinal), Hex.Of(request.ErrorRespond(new RpcException(5, "m", data: "secret"))!.Serialize()));

        // An error that answers no particular request has a nil msgid.
        RpcErrorResponse orphan = protocol.CreateErrorResponse(new ServerException("down"));
        Assert.Equal("9401c092d18300a4646f776ec0", Hex.Of(orphan.Serialize()));
        Assert.Equal(RpcId.Null, orphan.Id);
    }

    [Fact]
    public void A_result_without_a_formatter_is_a_result_error_for_the_dispatcher()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcRequest request = (RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 07 a3616464 90"));
        RpcResultException error = Assert.Throws<RpcResultException>(() => request.Respond(new Unlisted(1, 2)));
        Assert.Contains("Unlisted", error.Message, StringComparison.Ordinal);
        MessagePackRpcProtocol withResolver = TestProtocols.WithResolver();
        RpcRequest known = (RpcRequest)withResolver.ParseRequest(Hex.Bytes("94 00 07 a3616464 90"));
        Assert.Equal("940107c0920102", Hex.Of(known.Respond(new Point(1, 2))!.Serialize()));
    }

    [Fact]
    public void Parses_replies_and_reconstructs_errors()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcResponse success = (RpcResponse)protocol.ParseReply(Hex.Bytes("940107c003"));
        Assert.False(success.IsError);
        Assert.Equal(RpcId.FromNumber(7), success.Id);
        Assert.Equal(3, success.GetResult<int>());
        Assert.Equal(3L, success.GetResult<long>());
        Assert.Throws<InvalidReplyException>(() => success.GetResult<string>());

        var error = Assert.IsType<MessagePackRpcErrorResponse>(protocol.ParseReply(Hex.Bytes("94010792" + "63b4" + Utf8Hex("Ah, that's cheating!") + "c0")));
        Assert.True(error.IsError);
        Assert.True(error.IsStandardForm);
        Assert.Equal(99, error.Code);
        Assert.Equal("Ah, that's cheating!", error.Message);
        Assert.False(error.HasData);
        Assert.Null(error.GetData<string>());
        var thrown = Assert.Throws<MessagePackRpcException>(() => protocol.RaiseError(error));
        Assert.Equal(99, thrown.Code);
        Assert.Equal("Ah, that's cheating!", thrown.Message);
        Assert.Equal(RpcId.FromNumber(7), thrown.RequestId);
        Assert.Throws<MessagePackRpcException>(() => error.GetResult<int>());

        protocol.RaisesErrors = false;
        RpcException returned = protocol.RaiseError(error);
        Assert.Equal(99, returned.Code);

        // The reconstructed error can be sent on as it came.
        RpcRequest request = (RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 08 a3616464 90"));
        Assert.Equal("94010892" + "63b4" + Utf8Hex("Ah, that's cheating!") + "c0", Hex.Of(request.ErrorRespond(returned)!.Serialize()));
    }

    public static TheoryData<string, string, string> OtherErrorObjects => new()
    {
        { "a string", "a4" + Utf8Hex("oops"), "oops" },
        { "a map", "81a6" + Utf8Hex("reason") + "a4" + Utf8Hex("busy"), "The server sent an error object that is not [code, message]: {\"reason\": \"busy\"}" },
        { "an integer", "2a", "The server sent an error object that is not [code, message]: 42" },
        { "three elements", "93 63 a1 78 c3", "The server sent an error object that is not [code, message]: [99, \"x\", true]" },
        { "message first", "92 a1 78 63", "The server sent an error object that is not [code, message]: [\"x\", 99]" },
        { "code too large", "92 ce ffffffff a1 78", "The server sent an error object that is not [code, message]: [4294967295, \"x\"]" },
        { "binary", "c4 02 0102", "The server sent an error object that is not [code, message]: <binary data>" },
        { "false", "c2", "The server sent an error object that is not [code, message]: false" },
    };

    [Theory]
    [MemberData(nameof(OtherErrorObjects))]
    public void An_error_object_of_another_shape_is_a_clear_error(string shape, string errorHex, string message)
    {
        var protocol = new MessagePackRpcProtocol();
        byte[] reply = Hex.Bytes("94 01 05" + errorHex + "c0");
        var error = Assert.IsType<MessagePackRpcErrorResponse>(protocol.ParseReply(reply));
        Assert.False(error.IsStandardForm, shape);
        Assert.Equal(RpcErrorCodes.ServerError, error.Code);
        Assert.Equal(message, error.Message);
        Assert.True(error.HasData);
        Assert.Equal(errorHex.Replace(" ", "", StringComparison.Ordinal), Hex.Of(error.RawError));

        var exception = Assert.Throws<MessagePackRpcException>(() => protocol.RaiseError(error));
        Assert.Equal(message, exception.Message);
        Assert.True(exception.HasData);
        Assert.NotNull(exception.GetData<object>());

        // Relayed by a server, the object travels unchanged.
        RpcRequest request = (RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 05 a3616464 90"));
        Assert.Equal(Hex.Of(reply), Hex.Of(request.ErrorRespond(exception)!.Serialize()));
    }

    [Fact]
    public void Error_data_of_another_shape_is_readable_typed()
    {
        var protocol = new MessagePackRpcProtocol();
        var error = (RpcErrorResponse)protocol.ParseReply(Hex.Bytes("940105a4" + Utf8Hex("oops") + "c0"));
        Assert.Equal("oops", error.GetData<string>());
        Assert.Throws<InvalidReplyException>(() => error.GetData<int>());
        Assert.Throws<InvalidCastException>(() => error.ToException().GetData<int>());
    }

    [Fact]
    public void Nil_error_and_nil_result_is_a_success_with_no_result()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcResponse reply = (RpcResponse)protocol.ParseReply(Hex.Bytes("940105c0c0"));
        Assert.False(reply.IsError);
        Assert.Null(reply.GetResult<object?>());
        Assert.Null(reply.GetResult<string?>());
        Assert.Null(reply.GetResult<int?>());
    }

    public static TheoryData<string, string> InvalidReplies => new()
    {
        { "empty", "" },
        { "not msgpack", "c1" },
        { "truncated", "940105c0" },
        { "trailing bytes", "940105c0c000" },
        { "not an array", "a26869" },
        { "three elements", "930105c0" },
        { "a request", "940005c0c0" },
        { "type not an integer", "94a101 05c0c0" },
        { "msgid a string", "9401a135c0c0" },
        { "msgid negative", "9401ffc0c0" },
        { "msgid beyond 32 bits", "9401cf0000000100000000c0c0" },
        { "msgid a float", "9401cb3ff0000000000000c0c0" },
        { "error and result", "940105a178a179" },
        { "billion-element array", "dd3b9aca00" },
        { "invalid UTF-8", "940105c0a2c328" },
    };

    [Theory]
    [MemberData(nameof(InvalidReplies))]
    public void Invalid_replies_are_invalid_reply_errors(string shape, string hex)
    {
        var protocol = new MessagePackRpcProtocol();
        InvalidReplyException error = Assert.Throws<InvalidReplyException>(() => protocol.ParseReply(Hex.Bytes(hex)));
        Assert.False(string.IsNullOrEmpty(error.Message), shape);
    }

    [Fact]
    public void A_reply_with_a_nil_msgid_answers_an_unreadable_request()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcErrorResponse reply = (RpcErrorResponse)protocol.ParseReply(new MessagePackRpcProtocol().CreateErrorResponse(new MessagePackRpcParseException("bad")).Serialize());
        Assert.Equal(RpcId.Null, reply.Id);
        Assert.Equal(RpcErrorCodes.ParseError, reply.Code);
        Assert.Equal("Parse error: bad", reply.Message);
    }

    [Fact]
    public void Msgids_are_unsigned_32_bit_and_wrap()
    {
        var protocol = new MessagePackRpcProtocol();
        Assert.Equal(1u, protocol.NextId());
        protocol.SetLastId(uint.MaxValue - 1);
        RpcRequest last = protocol.CreateRequest("m");
        Assert.Equal("9400ceffffffffa16d90", Hex.Of(last.Serialize()));
        Assert.Equal(RpcId.FromNumber(uint.MaxValue), last.Id);
        RpcRequest wrapped = protocol.CreateRequest("m");
        Assert.Equal("940000a16d90", Hex.Of(wrapped.Serialize()));
        Assert.Equal(RpcId.FromNumber(0), wrapped.Id);
        Assert.Equal(1u, protocol.NextId());

        // The largest msgid is echoed, and the reply matches the request's id.
        RpcRequest parsed = (RpcRequest)protocol.ParseRequest(last.Serialize());
        RpcResponse reply = (RpcResponse)protocol.ParseReply(parsed.Respond(1)!.Serialize());
        Assert.Equal(last.Id, reply.Id);
        Assert.Equal("9401ceffffffffc001", Hex.Of(reply.Serialize()));
    }

    [Fact]
    public void Primitives_and_user_types_are_decoded_into_the_parameter_type()
    {
        MessagePackRpcProtocol protocol = TestProtocols.WithResolver();
        RpcRequest request = protocol.CreateRequestBuilder("m")
            .Add(new Point(3, 4)).Add(uint.MaxValue).Add(long.MinValue).Add((short)-5).Add((byte)200).Add(2.5f).Add('x')
            .Add(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)).Add(new[] { "a", "b" }).Add<double?>(null).Add(new byte[] { 9 })
            .Build();
        RpcArguments args = ((RpcRequest)protocol.ParseRequest(request.Serialize())).Arguments;
        Assert.True(args.TryGet(0, "p", out Point? point));
        Assert.Equal(new Point(3, 4), point);
        Assert.True(args.TryGet(1, "u", out uint u) && u == uint.MaxValue);
        Assert.True(args.TryGet(2, "l", out long l) && l == long.MinValue);
        Assert.True(args.TryGet(3, "s", out short s) && s == -5);
        Assert.True(args.TryGet(4, "b", out byte b) && b == 200);
        Assert.True(args.TryGet(5, "f", out float f) && f == 2.5f);
        Assert.True(args.TryGet(6, "c", out char c) && c == 'x');
        Assert.True(args.TryGet(7, "d", out DateTime d) && d == new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Assert.True(args.TryGet(8, "a", out string[]? a));
        Assert.Equal(["a", "b"], a!);
        Assert.True(args.TryGet(9, "n", out double? n) && n is null);
        Assert.True(args.TryGet(10, "bytes", out byte[]? bytes));
        Assert.Equal([9], bytes);
        Assert.True(args.TryGet(1, "wide", out long wide) && wide == uint.MaxValue);
        Assert.True(args.TryGet(4, "d", out double widened) && widened == 200);
        Assert.Throws<InvalidParamsException>(() => args.TryGet(2, "narrow", out int _));
        Assert.Throws<InvalidParamsException>(() => args.TryGet(1, "negative", out sbyte _));
    }

    [Fact]
    public void Values_read_as_object_need_no_reflection()
    {
        var protocol = new MessagePackRpcProtocol();
        // [nil, true, -1, 2^64-1, 1.5 (float32), "s", bin [1], timestamp 1 s, [1, [2]], {"k": 1, 2: nil}]
        RpcArguments args = ((RpcRequest)protocol.ParseRequest(Hex.Bytes(
            "94 00 01 a16d 9a c0 c3 ff cfffffffffffffffff ca3fc00000 a173 c40101 d6ff00000001 92 01 91 02 82 a16b 01 02 c0"))).Arguments;
        object?[] expected = [null, true, -1L, ulong.MaxValue, 1.5, "s", new byte[] { 1 }, DateTime.UnixEpoch.AddSeconds(1)];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(args.TryGet(i, "v", out object? value));
            Assert.Equal(expected[i], value);
        }

        Assert.True(args.TryGet(8, "list", out object? list));
        Assert.Equal(new object[] { 1L, new object[] { 2L } }, (object[])list!);
        Assert.True(args.TryGet(9, "map", out object? map));
        var dictionary = Assert.IsType<Dictionary<object, object?>>(map);
        Assert.Equal(1L, dictionary["k"]);
        Assert.Null(dictionary[2L]);

        string[] unreadable = ["82 01 01 01 02", "81 c0 01", "d5 05 0000"];
        foreach (string hex in unreadable)
        {
            RpcArguments bad = ((RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 01 a16d 91" + hex))).Arguments;
            Assert.Throws<InvalidParamsException>(() => bad.TryGet(0, "v", out object? _));
        }

        // Written as object, values take their shortest form, as python3-msgpack writes them.
        RpcRequest request = protocol.CreateRequest("m", [1, -1L, (short)300, "s", new object?[] { null, true }, new Dictionary<string, object?> { ["k"] = 2.5 }]);
        Assert.Equal("940001a16d9601ffcd012ca17392c0c381a16bcb4004000000000000", Hex.Of(request.Serialize()));

        // Other types known only as object would need reflection: they are refused with a clear message.
        var refused = Assert.Throws<MessagePackSerializationException>(() => TestProtocols.WithResolver().CreateRequest("m", [new Point(1, 2)]));
        Assert.Contains("Point known only as object", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_standard_resolver_is_an_opt_in()
    {
        // Without a resolver, a [MessagePackObject] type is not serializable (no reflection by default)...
        var plain = new MessagePackRpcProtocol();
        Assert.Throws<FormatterNotRegisteredException>(() => plain.CreateRequestBuilder("m").Add(new Attributed { Name = "n" }));

        // ...while the user may choose MessagePack-CSharp's reflection-based StandardResolver.
        var standard = new MessagePackRpcProtocol(MessagePackSerializerOptions.Standard);
        RpcRequest request = standard.CreateRequestBuilder("m").Add(new Attributed { Name = "n" }).Build();
        Assert.True(standard.ParseRequest(request.Serialize()) is RpcRequest { Arguments: var args } && args.TryGet(0, "a", out Attributed? value) && value!.Name == "n");
        Assert.Equal(MessagePackSecurity.UntrustedData.HashCollisionResistant, standard.SerializerOptions.Security.HashCollisionResistant);
        Assert.Equal(64, standard.SerializerOptions.Security.MaximumObjectGraphDepth);
    }
}

[MessagePackObject]
public sealed class Attributed
{
    [Key(0)]
    public string? Name { get; set; }
}
