using System.Globalization;
using System.Text.Json;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.MessagePack.Tests;

/// <summary>
/// Interop with an independent implementation: Debian's python3-msgpack, driven by msgpack_peer.py.
/// Debian's python3-tinyrpc is 0.6 and has no MSGPACK-RPC protocol, so the peer implements tinyrpc 1.1's
/// documented MSGPACK-RPC semantics itself (see the script); on TCP it frames messages with Content-Length.
/// </summary>
public class PythonInteropTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Messages_written_by_TinyRpc_decode_exactly_in_python()
    {
        MessagePackRpcProtocol protocol = TestProtocols.WithResolver();
        protocol.SetLastId(41);
        RpcRequest request = protocol.CreateRequestBuilder("reverse_string")
            .Add("héllo").Add(-1).Add(300).Add(70_000).Add(-40_000).Add(5_000_000_000L).Add(1.5).Add(true).Add<string?>(null)
            .Add(new byte[] { 0, 255 }).Add(new[] { 1, 2 }).Add(new string('x', 40)).Add(new Point(3, 4))
            .Build();
        RpcRequest notification = protocol.CreateRequest("record", ["entry"], oneWay: true);
        RpcRequest parsed = (RpcRequest)protocol.ParseRequest(Hex.Bytes("94 00 ce ffffffff a16d 90"));
        (string Message, string Expected)[] cases =
        [
            (Hex.Of(request.Serialize()),
                "[0, 42, 'reverse_string', ['héllo', -1, 300, 70000, -40000, 5000000000, 1.5, True, None, b'\\x00\\xff', [1, 2], '" + new string('x', 40) + "', [3, 4]]]"),
            (Hex.Of(notification.Serialize()), "[2, 'record', ['entry']]"),
            (Hex.Of(parsed.Respond("olleh")!.Serialize()), "[1, 4294967295, None, 'olleh']"),
            (Hex.Of(parsed.Respond()!.Serialize()), "[1, 4294967295, None, None]"),
            (Hex.Of(parsed.ErrorRespond(new PalindromeException())!.Serialize()), "[1, 4294967295, [99, \"Ah, that's cheating!\"], None]"),
            (Hex.Of(parsed.ErrorRespond(new MethodNotFoundException("x"))!.Serialize()), "[1, 4294967295, [-32601, 'Method not found'], None]"),
            (Hex.Of(protocol.CreateErrorResponse(new MessagePackRpcParseException()).Serialize()), "[1, None, [-32700, 'Parse error'], None]"),
        ];

        string[] output = await PythonPeer.RunAsync(cases.Select(c => c.Message), "unpack");
        Assert.Equal(cases.Length, output.Length);
        for (int i = 0; i < cases.Length; i++)
        {
            int bar = output[i].LastIndexOf('|');
            Assert.Equal(cases[i].Expected, output[i][..bar]);
            // python3-msgpack packs the same value into the very same bytes.
            Assert.Equal(cases[i].Message, output[i][(bar + 1)..]);
        }
    }

    [Fact]
    public async Task Messages_written_by_python_decode_exactly_in_TinyRpc()
    {
        string[] literals =
        [
            "[0, 4294967295, 'echo', [0, -1, 127, 128, -33, 65535, 65536, -2147483648, 9223372036854775807, 1.5, 'héllo', b'\\x00\\x01', None, True, [1, [2]], {'k': 'v'}, 'x' * 40]]",
            "[2, 'record', ['from python']]",
            "[1, 5, [99, \"Ah, that's cheating!\"], None]",
            "[1, 6, 'oops', None]",
            "[1, 7, None, [3, 4]]",
            "[1, 8, {'code': 1}, None]",
        ];
        string[] hex = await PythonPeer.RunAsync(literals.Select(l => l.Replace("'x' * 40", "'" + new string('x', 40) + "'", StringComparison.Ordinal)), "pack");
        Assert.Equal(literals.Length, hex.Length);
        MessagePackRpcProtocol protocol = TestProtocols.WithResolver();

        var request = (MessagePackRpcRequest)protocol.ParseRequest(Hex.Bytes(hex[0]));
        Assert.Equal(uint.MaxValue, request.MessageId);
        Assert.Equal("echo", request.Method);
        RpcArguments args = request.Arguments;
        Assert.Equal(17, args.Count);
        long[] integers = [0, -1, 127, 128, -33, 65535, 65536, int.MinValue, long.MaxValue];
        for (int i = 0; i < integers.Length; i++)
        {
            Assert.True(args.TryGet(i, "n", out long n));
            Assert.Equal(integers[i], n);
        }

        Assert.True(args.TryGet(9, "f", out double f) && f == 1.5);
        Assert.True(args.TryGet(10, "s", out string? s) && s == "héllo");
        Assert.True(args.TryGet(11, "b", out byte[]? b));
        Assert.Equal([0, 1], b);
        Assert.True(args.IsNull(12));
        Assert.True(args.TryGet(13, "t", out bool t) && t);
        Assert.True(args.TryGet(14, "nested", out object? nested));
        Assert.Equal(2, ((object[])nested!).Length);
        Assert.True(args.TryGet(15, "map", out object? map));
        Assert.Equal("v", ((IDictionary<object, object>)map!)["k"]);
        Assert.True(args.TryGet(16, "long", out string? x) && x == new string('x', 40));

        var notification = (RpcRequest)protocol.ParseRequest(Hex.Bytes(hex[1]));
        Assert.True(notification.OneWay);
        Assert.True(notification.Arguments.TryGet(0, "entry", out string? entry) && entry == "from python");

        var palindrome = (RpcErrorResponse)protocol.ParseReply(Hex.Bytes(hex[2]));
        Assert.Equal((99, "Ah, that's cheating!", RpcId.FromNumber(5)), (palindrome.Code, palindrome.Message, palindrome.Id));
        var oops = (RpcErrorResponse)protocol.ParseReply(Hex.Bytes(hex[3]));
        Assert.Equal((RpcErrorCodes.ServerError, "oops"), (oops.Code, oops.Message));
        var result = (RpcResponse)protocol.ParseReply(Hex.Bytes(hex[4]));
        Assert.Equal(new Point(3, 4), result.GetResult<Point>());
        var mapError = (RpcErrorResponse)protocol.ParseReply(Hex.Bytes(hex[5]));
        Assert.Equal("The server sent an error object that is not [code, message]: {\"code\": 1}", mapError.Message);
    }

    [Fact]
    public async Task A_python_client_calls_a_TinyRpc_server_over_tcp()
    {
        var catalog = new Catalog();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(catalog);
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0, MessageFraming.ContentLength);
        var server = new RpcServer(transport, TestProtocols.WithResolver(), dispatcher);
        using var stop = new CancellationTokenSource(Limit);
        Task serving = server.ServeForeverAsync(stop.Token);

        string[] lines;
        using (PythonPeer peer = PythonPeer.Start("call", transport.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture)))
        {
            lines = await peer.ReadToEndAsync();
        }

        Dictionary<string, JsonElement> replies = lines
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e[0].GetString()!, e => e[1]);

        AssertReply(replies["reverse"], """[1, 1, null, "!dlroW ,olleH"]""");
        AssertReply(replies["palindrome"], """[1, 2, [99, "Ah, that's cheating!"], null]""");
        AssertReply(replies["missing"], """[1, 3, [-32601, "Method not found"], null]""");
        AssertError(replies["invalid_params"], 4, RpcErrorCodes.InvalidParams, "'a'");
        AssertReply(replies["defaults"], """[1, 5, null, "Hello, Ann"]""");
        AssertReply(replies["dto"], """[1, 6, null, [11, 22]]""");
        AssertReply(replies["params_array"], """[1, 7, null, 10]""");
        AssertReply(replies["max_msgid"], """[1, 4294967295, null, 5]""");
        AssertReply(replies["after_notification"], """[1, 8, null, ["from python"]]""");
        AssertError(replies["keyword_arguments"], 9, RpcErrorCodes.InvalidRequest, "keyword arguments");
        AssertError(replies["msgid_not_integer"], null, RpcErrorCodes.InvalidRequest, "msgid");
        AssertError(replies["garbage"], null, RpcErrorCodes.ParseError, "0xc1");
        AssertError(replies["trailing_bytes"], null, RpcErrorCodes.ParseError, "follow the end");
        AssertReply(replies["pipelined"], """[[1, 11, null, 2], [1, 12, null, 4]]""");

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_python_client_sends_and_receives_the_common_shapes_with_no_setup()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Shapes());
        await using TcpServerTransport transport = TcpServerTransport.Loopback(0, MessageFraming.ContentLength);
        var server = new RpcServer(transport, new MessagePackRpcProtocol(), dispatcher);
        using var stop = new CancellationTokenSource(Limit);
        Task serving = server.ServeForeverAsync(stop.Token);

        string[] lines;
        using (PythonPeer peer = PythonPeer.Start("shapes", transport.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture)))
        {
            lines = await peer.ReadToEndAsync();
        }

        Dictionary<string, string> replies = lines.ToDictionary(l => l[..l.IndexOf('|', StringComparison.Ordinal)], l => l[(l.IndexOf('|', StringComparison.Ordinal) + 1)..]);
        Assert.Equal("['hello', 5]", replies["get_data"]);
        Assert.Equal("{'name': 'ann', 'site': 'sitea'}", replies["get_user_info"]);
        Assert.Equal("{'count': 3, 'keys': ['list', 'map', 'n'], 'input': {'n': 3, 'list': [1, 'two', None, True, 2.5], 'map': {'inner': [1, 2]}}, 'nothing': None}", replies["describe"]);
        Assert.Equal("[2, -4, 600]", replies["doubled"]);
        Assert.Equal("['A', 'HÉLLO']", replies["upper"]);
        Assert.Equal("[0.5, 1.5]", replies["halves"]);
        Assert.Equal("{'a!': [2, 1], 'b!': []}", replies["groups"]);
        Assert.Equal("[11, None, 13, None]", replies["nullables"]);
        Assert.Equal("40000", replies["next_shade"]);
        Assert.Equal("[1, 40000]", replies["shades"]);
        Assert.Equal("{'a': [1, 'b', None], 'c': False}", replies["echo"]);
        // Records, classes and structs: maps keyed by the names JSON-RPC uses, unknown keys ignored.
        Assert.Equal("{'Name': 'ann', 'Age': 42, 'e-mail': 'ann@example.org', 'Tags': ['a', 'older']}", replies["older"]);
        Assert.Equal("[{'Name': 'u1', 'Age': 1, 'e-mail': 'u1@example.org', 'Tags': []}, {'Name': 'u2', 'Age': 2, 'e-mail': None, 'Tags': []}]", replies["users"]);
        Assert.Equal("{'Id': 8, 'Owner': {'Name': 'bo', 'Age': 3, 'e-mail': None, 'Tags': []}, 'Lines': {'tea': 2}, 'Shade': 1, 'Note': 'none!', 'Total': 2}", replies["order"]);
        Assert.Equal("{'Width': 11, 'Height': 22}", replies["grow"]);
        // DateTime: the msgpack timestamp extension (UTC), from a Timestamp or a datetime packed with datetime=True.
        Assert.Equal("Timestamp(seconds=1709253005, nanoseconds=123456700)", replies["later"]);
        Assert.Equal("Timestamp(seconds=1709253005, nanoseconds=123456000)", replies["later17"]);
        // DateTimeOffset: the ISO 8601 text JSON-RPC sends; Guid: its 36-character text; decimal: its text,
        // read from text or from a number.
        Assert.Equal("'2024-03-01T00:00:05.1234567+05:30'", replies["shift"]);
        Assert.Equal("'0f8fad5b-d9cb-469f-a165-70867728950e'", replies["same_guid"]);
        Assert.Equal("'6172839450617283945.061725'", replies["half"]);
        Assert.Equal("'0.75'", replies["half21"]);

        await stop.CancelAsync();
        await serving.WaitAsync(Limit);
    }

    [Fact]
    public async Task A_TinyRpc_client_calls_a_python_server_over_tcp()
    {
        using PythonPeer peer = PythonPeer.Start("serve");
        int port = int.Parse(await peer.ReadLineAsync(), CultureInfo.InvariantCulture);
        await using (var client = new RpcClient(TestProtocols.WithResolver(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", port)))
        {
            client.Timeout = Limit;
            ICatalog proxy = client.GetProxy<ICatalog>();
            // The Python peer handles the messages of a connection one after another, in order.
            await CatalogAssert.CommonCallsAsync(proxy, "from TinyRpc", static () => Task.CompletedTask);

            RpcException notFound = await Assert.ThrowsAnyAsync<RpcException>(() => proxy.SumAsync(1, 2));
            Assert.Equal(RpcErrorCodes.MethodNotFound, notFound.Code);
            RpcException invalidParams = await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync<int>("add", 1));
            Assert.Equal(RpcErrorCodes.InvalidParams, invalidParams.Code);

            // Error objects that are not [code, message] are errors all the same.
            var text = await Assert.ThrowsAsync<MessagePackRpcException>(() => client.CallAsync<int>("raw_error", "string"));
            Assert.Equal((RpcErrorCodes.ServerError, "something went wrong"), (text.Code, text.Message));
            var map = await Assert.ThrowsAsync<MessagePackRpcException>(() => client.CallAsync<int>("raw_error", "map"));
            Assert.Equal("The server sent an error object that is not [code, message]: {\"reason\": \"busy\", \"retry\": 3}", map.Message);
            Assert.Equal("busy", ((IDictionary<object, object>)map.GetData<object>()!)["reason"]);
            var number = await Assert.ThrowsAsync<MessagePackRpcException>(() => client.CallAsync<int>("raw_error", "int"));
            Assert.Equal(42, number.GetData<int>());

            Assert.Equal("x", await client.CallAsync<string>("echo", "x"));
            Assert.Equal(new[] { 1, 2 }, await client.CallAsync<int[]>("echo", new object?[] { new[] { 1, 2 } }));

            // Many calls outstanding on one connection, matched by msgid.
            int[] sums = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => proxy.AddAsync(i, i)));
            Assert.Equal(Enumerable.Range(0, 50).Select(i => 2 * i), sums);
        }

        await peer.ReadToEndAsync(); // the peer ends cleanly when the client disconnects
    }

    private static void AssertReply(JsonElement actual, string expected)
        => Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, actual), $"expected {expected}\nactual   {actual}");

    private static void AssertError(JsonElement reply, long? msgId, int code, string messagePart)
    {
        Assert.Equal(1, reply[0].GetInt32());
        if (msgId is null)
        {
            Assert.Equal(JsonValueKind.Null, reply[1].ValueKind);
        }
        else
        {
            Assert.Equal(msgId, reply[1].GetInt64());
        }

        Assert.Equal(code, reply[2][0].GetInt32());
        Assert.Contains(messagePart, reply[2][1].GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, reply[3].ValueKind);
    }
}
