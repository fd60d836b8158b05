using System.Collections.Concurrent;
using System.Text.Json;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>Request ids: echoed exactly in every kind of reply, compared by kind and value, unique when generated.</summary>
public class JsonRpcIdTests
{
    public static TheoryData<string> Ids =>
    [
        "1",
        "0",
        "-5",
        "9223372036854775807",
        "-9223372036854775808",
        "12345678901234567890",
        "-98765432109876543210987654321",
        "1.5",
        "-0.25",
        "1.0",
        "1e3",
        "2E-5",
        "123456789012345678901234567890.123456789",
        "\"abc\"",
        "\"\"",
        "\"1\"",
        "\"1.5\"",
        """ "a\"b\\c\/d\u00e9\n\t\ud83d\ude00" """.Trim(),
        "\"héllo ✓ 𝄞\"",
        "null",
    ];

    private static void AssertSameId(string expectedRaw, ReadOnlyMemory<byte> reply)
    {
        string actualRaw = JsonAssert.RawId(reply);
        if (expectedRaw.StartsWith('"'))
        {
            // a string id may be re-escaped, but must stay a string with the same value
            Assert.StartsWith("\"", actualRaw, StringComparison.Ordinal);
            Assert.Equal(JsonSerializer.Deserialize<string>(expectedRaw), JsonSerializer.Deserialize<string>(actualRaw));
        }
        else
        {
            // numbers and null digit for digit
            Assert.Equal(expectedRaw, actualRaw);
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Success_reply_echoes_the_id(string id)
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(),
            $$"""{"jsonrpc": "2.0", "method": "subtract", "params": [2, 1], "id": {{id}}}""");

        AssertSameId(id, reply!.Value);
        JsonAssert.Equal($$"""{"jsonrpc": "2.0", "result": 1, "id": {{id}}}""", reply.Value);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Error_reply_echoes_the_id(string id)
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(),
            $$"""{"jsonrpc": "2.0", "method": "foobar", "id": {{id}}}""");

        AssertSameId(id, reply!.Value);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Invalid_request_reply_echoes_the_id(string id)
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(),
            $$"""{"jsonrpc": "2.0", "method": 1, "params": "bar", "id": {{id}}}""");

        AssertSameId(id, reply!.Value);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Invalid_batch_member_reply_echoes_the_id(string id)
    {
        ReadOnlyMemory<byte>? reply = ExampleServer.HandleIncomingMessage(new JsonRpcProtocol(),
            $$"""[{"jsonrpc": "2.0", "method": 1, "id": {{id}}}]""");

        var replies = Assert.IsAssignableFrom<RpcBatchResponse>(new JsonRpcProtocol().ParseReply(reply!.Value));
        AssertSameId(id, replies[0].Serialize());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Reply_id_parsed_by_the_client_equals_the_request_id(string id)
    {
        var rpc = new JsonRpcProtocol();
        var request = (RpcRequest)rpc.ParseRequest(JsonAssert.Utf8($$"""{"jsonrpc": "2.0", "method": "m", "id": {{id}}}"""));

        var reply = (RpcResponse)rpc.ParseReply(request.Respond("ok")!.Serialize());
        var error = (RpcResponse)rpc.ParseReply(request.ErrorRespond(new InvalidOperationException("no"))!.Serialize());

        Assert.Equal(request.Id, reply.Id);
        Assert.Equal(request.Id, error.Id);
        Assert.Equal(request.Id, request.Respond(1)!.Id);
        Assert.Equal(request.Id, request.ErrorRespond(new InvalidOperationException("no"))!.Id);
        Assert.False(request.OneWay);
    }

    [Theory]
    [InlineData("1", RpcIdKind.Number)]
    [InlineData("-9223372036854775808", RpcIdKind.Number)]
    [InlineData("\"1\"", RpcIdKind.String)]
    [InlineData("\"\"", RpcIdKind.String)]
    [InlineData("null", RpcIdKind.Null)]
    [InlineData("1.5", RpcIdKind.Number)]
    [InlineData("12345678901234567890", RpcIdKind.Number)]
    public void Parsed_id_has_the_kind_of_its_json_value(string id, RpcIdKind kind)
    {
        var request = (RpcRequest)new JsonRpcProtocol().ParseRequest(JsonAssert.Utf8($$"""{"jsonrpc": "2.0", "method": "m", "id": {{id}}}"""));

        Assert.Equal(kind, request.Id.Kind);
    }

    [Fact]
    public void Parsed_ids_have_their_values()
    {
        var rpc = new JsonRpcProtocol();
        RpcId Parse(string id) => ((RpcRequest)rpc.ParseRequest(JsonAssert.Utf8($$"""{"jsonrpc": "2.0", "method": "m", "id": {{id}}}"""))).Id;

        Assert.Equal(42, Parse("42").Number);
        Assert.Equal(long.MinValue, Parse("-9223372036854775808").Number);
        Assert.Equal("a\"b\\c\u00e9\n", Parse(""" "a\"b\\c\u00e9\n" """).Text);
        Assert.Equal(RpcId.Null, Parse("null"));
        Assert.Equal(RpcId.FromString("x"), Parse("\"x\""));
    }

    [Fact]
    public void Numeric_and_string_ids_of_the_same_text_are_different()
    {
        var rpc = new JsonRpcProtocol();
        RpcId Parse(string id) => ((RpcRequest)rpc.ParseRequest(JsonAssert.Utf8($$"""{"jsonrpc": "2.0", "method": "m", "id": {{id}}}"""))).Id;

        Assert.NotEqual(Parse("1"), Parse("\"1\""));
        Assert.NotEqual(Parse("1.5"), Parse("\"1.5\""));
        Assert.NotEqual(Parse("12345678901234567890"), Parse("\"12345678901234567890\""));
        Assert.NotEqual(Parse("1.5"), Parse("2.5"));
        Assert.Equal(Parse("1.5"), Parse("1.5"));
        Assert.Equal(Parse("1.5").GetHashCode(), Parse("1.5").GetHashCode());
    }

    [Fact]
    public void Notification_has_no_id()
    {
        var request = (RpcRequest)new JsonRpcProtocol().ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "m"}"""));

        Assert.True(request.OneWay);
        Assert.True(request.Id.IsNone);
        Assert.Equal(RpcId.None, request.Id);
        Assert.Null(request.Respond(1));
        Assert.Null(request.Respond());
        Assert.Null(request.ErrorRespond(new InvalidOperationException()));
        Assert.Null(request.ErrorRespond("message"));
    }

    [Fact]
    public void Null_id_is_a_request_not_a_notification_and_is_answered_with_null()
    {
        var request = (RpcRequest)new JsonRpcProtocol().ParseRequest(JsonAssert.Utf8("""{"jsonrpc": "2.0", "method": "subtract", "params": [5, 2], "id": null}"""));

        Assert.False(request.OneWay);
        Assert.Equal(RpcId.Null, request.Id);
        JsonAssert.Equal("""{"jsonrpc": "2.0", "result": 3, "id": null}""", request.Respond(3)!.Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "error": {"code": -32000, "message": "x"}, "id": null}""", request.ErrorRespond(new InvalidOperationException("x"))!.Serialize());
    }

    [Fact]
    public void RpcId_equality_distinguishes_kinds()
    {
        Assert.NotEqual(RpcId.FromNumber(1), RpcId.FromString("1"));
        Assert.True(RpcId.FromNumber(1) != RpcId.FromString("1"));
        Assert.False(RpcId.FromNumber(1) == RpcId.FromString("1"));
        Assert.NotEqual(RpcId.None, RpcId.Null);
        Assert.NotEqual(RpcId.Null, RpcId.FromString(""));
        Assert.NotEqual(RpcId.Null, RpcId.FromNumber(0));
        Assert.NotEqual(RpcId.None, RpcId.FromNumber(0));
        Assert.NotEqual(RpcId.FromString("a"), RpcId.FromString("A"));
        Assert.NotEqual(RpcId.FromNumber(1), RpcId.FromNumber(2));

        Assert.Equal(RpcId.FromNumber(7), (RpcId)7);
        Assert.Equal(RpcId.FromString("x"), (RpcId)"x");
        Assert.Equal(RpcId.Null, (RpcId)(string?)null);
        Assert.Equal(RpcId.None, default);
        Assert.Equal(RpcId.Null, RpcId.Null);
        Assert.True(RpcId.FromNumber(1).Equals((object)RpcId.FromNumber(1)));
        Assert.False(RpcId.FromNumber(1).Equals((object)1L));
    }

    [Fact]
    public void RpcId_hashes_equal_ids_alike_and_works_as_a_key()
    {
        var set = new HashSet<RpcId> { 1, "1", RpcId.Null, RpcId.None, 1, "1", RpcId.FromString("1"), RpcId.Null, default };

        Assert.Equal(4, set.Count);
        Assert.Equal(RpcId.FromString(new string('a', 3)).GetHashCode(), RpcId.FromString("aaa").GetHashCode());
        Assert.Equal(RpcId.FromNumber(long.MaxValue).GetHashCode(), ((RpcId)long.MaxValue).GetHashCode());
    }

    [Fact]
    public void RpcId_accessors_check_the_kind()
    {
        Assert.Equal(RpcIdKind.None, RpcId.None.Kind);
        Assert.True(RpcId.None.IsNone);
        Assert.False(RpcId.Null.IsNone);
        Assert.Equal(RpcIdKind.Null, RpcId.Null.Kind);
        Assert.Equal(5, RpcId.FromNumber(5).Number);
        Assert.Equal("s", RpcId.FromString("s").Text);
        Assert.Throws<InvalidOperationException>(() => RpcId.FromString("5").Number);
        Assert.Throws<InvalidOperationException>(() => RpcId.FromNumber(5).Text);
        Assert.Throws<InvalidOperationException>(() => RpcId.Null.Number);
        Assert.Throws<InvalidOperationException>(() => RpcId.None.Text);
        Assert.Throws<ArgumentNullException>(() => RpcId.FromString(null!));
    }

    [Fact]
    public void RpcId_to_string_looks_like_json()
    {
        Assert.Equal("42", RpcId.FromNumber(42).ToString());
        Assert.Equal("-1", RpcId.FromNumber(-1).ToString());
        Assert.Equal("\"abc\"", RpcId.FromString("abc").ToString());
        Assert.Equal("null", RpcId.Null.ToString());
        Assert.Equal("", RpcId.None.ToString());
    }

    [Fact]
    public void NextId_is_unique_across_threads()
    {
        var rpc = new JsonRpcProtocol();
        const int n = 200_000;
        long[] ids = new long[n];

        Parallel.For(0, n, i => ids[i] = rpc.NextId());

        Assert.Equal(n, ids.Distinct().Count());
        Assert.Equal(1, ids.Min());
        Assert.Equal(n, ids.Max());
    }

    [Fact]
    public void Requests_built_on_many_threads_have_unique_ids()
    {
        var rpc = new JsonRpcProtocol();
        var ids = new ConcurrentBag<RpcId>();
        var wireIds = new ConcurrentBag<string>();

        Parallel.For(0, 5_000, i =>
        {
            RpcRequest request = i % 2 == 0
                ? rpc.CreateRequestBuilder("m").Add(i).Build()
                : rpc.CreateRequest("m", [i]);
            ids.Add(request.Id);
            wireIds.Add(JsonAssert.RawId(request.Serialize()));
        });

        Assert.Equal(5_000, ids.Distinct().Count());
        Assert.Equal(5_000, wireIds.Distinct().Count());
        Assert.All(ids, static id => Assert.Equal(RpcIdKind.Number, id.Kind));
    }

    [Fact]
    public void Each_protocol_instance_counts_its_own_ids()
    {
        var a = new JsonRpcProtocol();
        var b = new JsonRpcProtocol();

        Assert.Equal(1, a.NextId());
        Assert.Equal(2, a.NextId());
        Assert.Equal(1, b.NextId());
        Assert.Equal(RpcId.FromNumber(3), a.CreateRequestBuilder("m").Build().Id);
    }
}
