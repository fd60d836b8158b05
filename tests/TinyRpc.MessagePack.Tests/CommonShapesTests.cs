using System.Text.Json;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.MessagePack.Tests;

/// <summary>
/// The same <see cref="IShapes"/> contract served and called over JSON-RPC and over MSGPACK-RPC with
/// <c>new MessagePackRpcProtocol()</c> and no other setup: every call answers, and both protocols give equal values.
/// </summary>
public class CommonShapesTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Calls <paramref name="call"/> through a typed proxy over each protocol, on an in-memory connection.</summary>
    private static async Task<(T Json, T Msgpack)> BothAsync<T>(Func<IShapes, Task<T>> call)
    {
        T json = await CallAsync(new JsonRpcProtocol(), c => call(c.GetProxy<IShapes>()));
        T msgpack = await CallAsync(new MessagePackRpcProtocol(), c => call(c.GetProxy<IShapes>()));
        return (json, msgpack);
    }

    private static async Task<T> CallAsync<T>(RpcProtocol protocol, Func<RpcClient, Task<T>> call)
    {
        using var stop = new CancellationTokenSource(Limit);
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Shapes());
        (InMemoryClientTransport transport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
        Task serving = new RpcServer(serverTransport, protocol, dispatcher).ServeForeverAsync(stop.Token);
        try
        {
            await using var client = new RpcClient(protocol, transport);
            return await call(client).WaitAsync(Limit);
        }
        finally
        {
            transport.Dispose();
            await serving.WaitAsync(Limit);
        }
    }

    /// <summary>A value known as object, as JSON text: JSON-RPC reads such values as JsonElement, MSGPACK-RPC as long, string, arrays and maps.</summary>
    private static string Canonical(object? value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task Object_array_result_travels_over_both_protocols()
    {
        (object[] json, object[] msgpack) = await BothAsync(s => s.GetDataAsync());
        Assert.Equal("[\"hello\",5]", Canonical(msgpack));
        Assert.Equal(Canonical(json), Canonical(msgpack));
        Assert.Equal(["hello", 5L], msgpack);
    }

    [Fact]
    public async Task Dictionary_of_strings_travels_over_both_protocols()
    {
        (Dictionary<string, string> json, Dictionary<string, string> msgpack) = await BothAsync(s => s.GetUserInfoAsync("ann"));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "ann", ["site"] = "sitea" }, msgpack);
        Assert.Equal(json, msgpack);
    }

    [Fact]
    public async Task Dictionary_of_objects_with_nested_arrays_and_maps_travels_over_both_protocols()
    {
        var input = new Dictionary<string, object?>
        {
            ["n"] = 3,
            ["s"] = "x",
            ["list"] = new object?[] { 1, "two", null, true, 2.5 },
            ["map"] = new Dictionary<string, object?> { ["inner"] = new[] { 1, 2 } },
        };
        (Dictionary<string, object?> json, Dictionary<string, object?> msgpack) = await BothAsync(s => s.DescribeAsync(input));
        Assert.Equal(4L, msgpack["count"]);
        Assert.Equal(Canonical(json), Canonical(msgpack));
        Assert.Contains("\"inner\":[1,2]", Canonical(msgpack), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_of_integers_travels_over_both_protocols()
    {
        (List<int> json, List<int> msgpack) = await BothAsync(s => s.DoubledAsync([1, -2, 300]));
        Assert.Equal([2, -4, 600], msgpack);
        Assert.Equal(json, msgpack);
    }

    [Fact]
    public async Task Read_only_list_of_strings_travels_over_both_protocols()
    {
        (IReadOnlyList<string> json, IReadOnlyList<string> msgpack) = await BothAsync(s => s.UpperAsync(["a", "héllo"]));
        Assert.Equal(["A", "HÉLLO"], msgpack);
        Assert.Equal(json, msgpack);
    }

    [Fact]
    public async Task Enumerable_of_doubles_travels_over_both_protocols()
    {
        (IEnumerable<double> json, IEnumerable<double> msgpack) = await BothAsync(s => s.HalvesAsync([1, 3]));
        Assert.Equal([0.5, 1.5], msgpack);
        Assert.Equal(json, msgpack);
    }

    [Fact]
    public async Task Dictionary_of_lists_travels_over_both_protocols()
    {
        var input = new Dictionary<string, long[]> { ["a"] = [1, 2], ["b"] = [] };
        (IReadOnlyDictionary<string, List<long>> json, IReadOnlyDictionary<string, List<long>> msgpack) = await BothAsync(s => s.GroupsAsync(input));
        Assert.Equal([2L, 1L], msgpack["a!"]);
        Assert.Empty(msgpack["b!"]);
        Assert.Equal(Canonical(json), Canonical(msgpack));
    }

    [Fact]
    public async Task Nullable_value_types_travel_over_both_protocols()
    {
        (int?[] json, int?[] msgpack) = await BothAsync(s => s.NullablesAsync([1, null, 3], 10));
        Assert.Equal([11, null, 13, null], msgpack);
        Assert.Equal(json, msgpack);
        (int?[] json2, int?[] msgpack2) = await BothAsync(s => s.NullablesAsync([1], null));
        Assert.Equal([null, null], msgpack2);
        Assert.Equal(json2, msgpack2);
    }

    [Fact]
    public async Task Enums_travel_as_numbers_over_both_protocols()
    {
        (Shade json, Shade msgpack) = await BothAsync(s => s.NextShadeAsync(Shade.Green));
        Assert.Equal(Shade.Blue, msgpack);
        Assert.Equal(json, msgpack);
        (Shade[] jsonAll, Shade[] msgpackAll) = await BothAsync(s => s.ShadesAsync([Shade.Red, null]));
        Assert.Equal([Shade.Red, Shade.Blue], msgpackAll);
        Assert.Equal(jsonAll, msgpackAll);
    }

    [Fact]
    public async Task Object_holding_maps_and_arrays_travels_over_both_protocols()
    {
        object value = new Dictionary<string, object?> { ["a"] = new object?[] { 1, "b", null }, ["c"] = false };
        (object? json, object? msgpack) = await BothAsync(s => s.EchoAsync(value));
        Assert.Equal("{\"a\":[1,\"b\",null],\"c\":false}", Canonical(msgpack));
        Assert.Equal(Canonical(json), Canonical(msgpack));
    }

    [Fact]
    public async Task Records_travel_as_maps_over_both_protocols()
    {
        var ann = new User("ann", 41, "ann@example.org", ["a"]);
        (User json, User msgpack) = await BothAsync(s => s.OlderAsync(ann));
        Assert.Equal(42, msgpack.Age);
        Assert.Equal("ann@example.org", msgpack.Email);
        Assert.Equal(["a", "older"], msgpack.Tags);
        Assert.Equal(JsonSerializer.Serialize(json), JsonSerializer.Serialize(msgpack));
    }

    [Fact]
    public async Task Lists_of_records_travel_over_both_protocols()
    {
        (List<User> json, List<User> msgpack) = await BothAsync(s => s.UsersAsync(3));
        Assert.Equal(["u1", "u2", "u3"], msgpack.Select(u => u.Name));
        Assert.Null(msgpack[1].Email);
        Assert.Equal(JsonSerializer.Serialize(json), JsonSerializer.Serialize(msgpack));
    }

    [Fact]
    public async Task Classes_travel_as_maps_over_both_protocols()
    {
        var order = new Order { Id = 7, Owner = new User("bo", 3, null, []), Lines = new() { ["tea"] = 2, ["cake"] = 1 }, Secret = "not sent" };
        (Order json, Order msgpack) = await BothAsync(s => s.OrderAsync(order));
        Assert.Equal(8, msgpack.Id);
        Assert.Equal("bo", msgpack.Owner!.Name);
        Assert.Equal(3, msgpack.Total);
        Assert.Equal(Shade.Red, msgpack.Shade);
        Assert.Equal("none!", msgpack.Note);
        Assert.Equal("kept", msgpack.Secret);
        Assert.Equal(JsonSerializer.Serialize(json), JsonSerializer.Serialize(msgpack));
    }

    [Fact]
    public async Task Structs_and_nullable_structs_travel_over_both_protocols()
    {
        (Size? json, Size? msgpack) = await BothAsync(s => s.GrowAsync(new Size { Width = 1, Height = 2 }, new Size { Width = 10, Height = 20 }));
        Assert.Equal(new Size { Width = 11, Height = 22 }, msgpack);
        Assert.Equal(json, msgpack);
        (Size? jsonNull, Size? msgpackNull) = await BothAsync(s => s.GrowAsync(default, null));
        Assert.Null(msgpackNull);
        Assert.Equal(jsonNull, msgpackNull);
    }

    [Fact]
    public async Task DateTime_travels_over_both_protocols()
    {
        var at = new DateTime(2024, 2, 29, 23, 30, 5, DateTimeKind.Utc).AddTicks(1234567);
        (DateTime json, DateTime msgpack) = await BothAsync(s => s.LaterAsync(at));
        Assert.Equal(at.AddHours(1), msgpack);
        Assert.Equal(DateTimeKind.Utc, msgpack.Kind);
        Assert.Equal(json, msgpack);
    }

    [Fact]
    public async Task DateTimeOffset_keeps_its_offset_over_both_protocols()
    {
        var at = new DateTimeOffset(2024, 2, 29, 23, 30, 5, TimeSpan.FromHours(5.5)).AddTicks(1234567);
        (DateTimeOffset json, DateTimeOffset msgpack) = await BothAsync(s => s.ShiftAsync(at));
        Assert.Equal(at.AddMinutes(30), msgpack);
        Assert.Equal(TimeSpan.FromHours(5.5), msgpack.Offset);
        Assert.Equal(json, msgpack);
        Assert.Equal(json.Offset, msgpack.Offset);
    }

    [Fact]
    public async Task Guid_travels_over_both_protocols()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        (Guid json, Guid msgpack) = await BothAsync(s => s.SameGuidAsync(id));
        Assert.Equal(id, msgpack);
        Assert.Equal(json, msgpack);
    }

    [Fact]
    public async Task Decimal_keeps_its_digits_over_both_protocols()
    {
        (decimal json, decimal msgpack) = await BothAsync(s => s.HalfAsync(12345678901234567890.12345m));
        Assert.Equal(6172839450617283945.061725m, msgpack);
        Assert.Equal(json, msgpack);
    }

    [Fact]
    public async Task Untyped_calls_of_common_shapes_need_no_contract_on_the_client()
    {
        // No contract of this assembly names these types: the protocol's own formatters serve them.
        List<object> data = await CallAsync(new MessagePackRpcProtocol(), c => c.CallAsync<List<object>>("get_data"));
        Assert.Equal(["hello", 5L], data);
        IReadOnlyDictionary<string, string> user = await CallAsync(new MessagePackRpcProtocol(), c => c.CallAsync<IReadOnlyDictionary<string, string>>("get_user_info", "ann"));
        Assert.Equal("sitea", user["site"]);
    }
}

/// <summary>Hostile arguments for the <see cref="IShapes"/> service: an error reply, never a crash or a large allocation.</summary>
public class CommonShapesHostileInputTests
{
    public static TheoryData<string, string, string> Messages => new()
    {
        // name, method, params (hex of one msgpack array)
        { "map given a string", "describe", "91 a178" },
        { "map value of the wrong type", "groups", "91 81 a16b 01" },
        { "list of ints given strings", "doubled", "91 91 a178" },
        { "duplicate map keys", "groups", "91 82 a16b 90 a16b 90" },
        { "enum given a string", "next_shade", "91 a3726564" },
        { "map claiming more entries than it has", "describe", "91 de ffff a16b 01" },
        { "list claiming more items than it has", "doubled", "91 dc ffff 01" },
    };

    private static async Task<RpcMessage> CallAsync(MessagePackRpcProtocol protocol, string method, string args)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Shapes());
        byte[] name = System.Text.Encoding.UTF8.GetBytes(method);
        byte[] message = [.. Hex.Bytes("94 00 07"), (byte)(0xa0 | name.Length), .. name, .. Hex.Bytes(args)];
        RpcRequest request;
        try
        {
            request = (RpcRequest)protocol.ParseRequest(message);
        }
        catch (BadRequestException e)
        {
            return protocol.ParseReply(protocol.ErrorRespond(e).Serialize());
        }

        RpcResponse? response = await dispatcher.DispatchAsync(request, TestContext.Current.CancellationToken);
        return protocol.ParseReply(response!.Serialize());
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Bad_arguments_get_an_error_reply(string name, string method, string args)
    {
        RpcMessage reply = await CallAsync(new MessagePackRpcProtocol(), method, args);
        var error = Assert.IsAssignableFrom<RpcErrorResponse>(reply);
        Assert.True(error.Code is RpcErrorCodes.InvalidParams or RpcErrorCodes.ParseError, $"{name}: {error.Code} {error.Message}");
    }

    [Fact]
    public async Task Objects_nested_to_the_depth_limit_travel_and_deeper_ones_get_a_parse_error()
    {
        // The envelope and the params array take two levels of MaxDepth (64).
        string within = string.Concat(Enumerable.Repeat("91", 61)) + "c0";
        Assert.IsNotAssignableFrom<RpcErrorResponse>(await CallAsync(new MessagePackRpcProtocol(), "echo", "91 " + within));

        string beyond = string.Concat(Enumerable.Repeat("91", 100)) + "c0";
        var error = Assert.IsAssignableFrom<RpcErrorResponse>(await CallAsync(new MessagePackRpcProtocol(), "echo", "91 " + beyond));
        Assert.Equal(RpcErrorCodes.ParseError, error.Code);
    }

    [Fact]
    public async Task Every_truncation_and_byte_change_of_requests_with_these_types_gets_a_reply()
    {
        // Requests a client writes for the shapes service, then each of them cut short and with each byte
        // replaced (OnePassTests.Corpus): the server answers every one, success or error, and never throws.
        var protocol = new MessagePackRpcProtocol();
        string[] valid =
        [
            Hex.Of(protocol.CreateRequestBuilder("older").Add(new User("ann", 41, null, ["a"])).Build().Serialize()),
            Hex.Of(protocol.CreateRequestBuilder("order").Add(new Order { Id = 1, Owner = new User("bo", 3, "b@x", []), Lines = new() { ["tea"] = 2 } }).Build().Serialize()),
            Hex.Of(protocol.CreateRequestBuilder("describe").Add(new Dictionary<string, object?> { ["k"] = new object?[] { 1, "v", null } }).Build().Serialize()),
            Hex.Of(protocol.CreateRequestBuilder("groups").Add(new Dictionary<string, long[]> { ["a"] = [1, 2] }).Build().Serialize()),
            Hex.Of(protocol.CreateRequestBuilder("grow").Add(new Size { Width = 1, Height = 2 }).Add<Size?>(new Size()).Build().Serialize()),
            Hex.Of(protocol.CreateRequestBuilder("shift").Add(DateTimeOffset.UnixEpoch).Build().Serialize()),
        ];
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Shapes());
        var server = new RpcServer(new CallbackServerTransport(static _ => default, static (_, _) => default), new MessagePackRpcProtocol(), dispatcher);
        int answered = 0;
        int succeeded = 0;
        foreach (byte[] message in OnePassTests.Corpus(valid))
        {
            ReadOnlyMemory<byte> reply = await server.HandleMessageAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (reply.IsEmpty)
            {
                continue; // a notification: the type byte became 2
            }

            RpcMessage parsed = protocol.ParseReply(reply);
            succeeded += parsed is RpcErrorResponse ? 0 : 1;
            answered++;
        }

        Assert.True(answered > 1000, $"only {answered} replies");
        Assert.True(succeeded >= valid.Length, $"only {succeeded} successful replies");
    }
}
