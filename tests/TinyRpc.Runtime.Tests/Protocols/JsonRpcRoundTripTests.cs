using System.Text.Json;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Protocols;

/// <summary>
/// Client and server protocols talking through bytes only: builder, ParseRequest, typed arguments,
/// Respond, ParseReply, GetResult, for single requests, errors and batches.
/// </summary>
public class JsonRpcRoundTripTests
{
    private readonly JsonRpcProtocol _client = new(new JsonRpcProtocolOptions { SerializerOptions = TestJsonContext.Default.Options });
    private readonly JsonRpcProtocol _server = new(new JsonRpcProtocolOptions { SerializerOptions = TestJsonContext.Default.Options });

    // The server reads the first parameter as T and returns it.
    private T Echo<T>(T value, bool named)
    {
        RpcRequestBuilder builder = _client.CreateRequestBuilder("echo");
        RpcRequest call = (named ? builder.Add("value", value) : builder.Add(value)).Build();

        var received = (RpcRequest)_server.ParseRequest(call.Serialize().ToArray());
        Assert.Equal("echo", received.Method);
        Assert.Equal(call.Id, received.Id);
        Assert.Equal(named, received.Arguments.IsNamed);
        Assert.True(received.Arguments.TryGet(0, "value", named, out T argument));
        byte[] replyBytes = received.Respond(argument)!.Serialize().ToArray();

        var reply = (RpcResponse)_client.ParseReply(replyBytes);
        Assert.Equal(call.Id, reply.Id);
        return reply.GetResult<T>();
    }

    private void AssertRoundTrip<T>(T value)
    {
        Assert.Equal(value, Echo(value, named: false));
        Assert.Equal(value, Echo(value, named: true));
    }

    [Fact]
    public void Primitives_survive_the_round_trip()
    {
        AssertRoundTrip(0);
        AssertRoundTrip(int.MinValue);
        AssertRoundTrip(int.MaxValue);
        AssertRoundTrip(long.MaxValue);
        AssertRoundTrip(long.MinValue);
        AssertRoundTrip(0.1);
        AssertRoundTrip(-1.0 / 3);
        AssertRoundTrip(double.MaxValue);
        AssertRoundTrip(1.5f);
        AssertRoundTrip(79228162514264337593543950335m);
        AssertRoundTrip(true);
        AssertRoundTrip(false);
        AssertRoundTrip((byte)200);
        AssertRoundTrip('q');
        AssertRoundTrip(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"));
        AssertRoundTrip(new DateTimeOffset(2024, 2, 29, 12, 30, 0, TimeSpan.FromHours(2)));
    }

    [Fact]
    public void Strings_survive_the_round_trip()
    {
        AssertRoundTrip("");
        AssertRoundTrip("plain");
        AssertRoundTrip("quote \" backslash \\ slash / newline \n tab \t nul \0");
        AssertRoundTrip("é ✓ 𝄞 日本語 \U0001F600");
        AssertRoundTrip("<script>alert('x')</script> & +");
        AssertRoundTrip(new string('x', 100_000));
        AssertRoundTrip<string?>(null);
    }

    [Fact]
    public void Nullable_values_survive_the_round_trip()
    {
        AssertRoundTrip<int?>(null);
        AssertRoundTrip<int?>(5);
        AssertRoundTrip<double?>(null);
    }

    [Fact]
    public void Collections_survive_the_round_trip()
    {
        Assert.Equal([1, 2, 3], Echo(new[] { 1, 2, 3 }, named: false));
        Assert.Equal(["a", "b"], Echo(new List<string> { "a", "b" }, named: true));
        Assert.Empty(Echo(new List<int>(), named: false));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = -2 }, Echo(new Dictionary<string, int> { ["a"] = 1, ["b"] = -2 }, named: false));
        Assert.Equal(new Dictionary<string, string> { ["k"] = "v" }, Echo(new Dictionary<string, string> { ["k"] = "v" }, named: true));
    }

    [Fact]
    public void User_types_survive_the_round_trip()
    {
        Person ada = Echo(new Person("Ada", 36, ["math", "engines"]), named: false);
        List<Person> people = Echo(new List<Person> { new("Bob", 1, []), new("Cy", 2, ["t"]) }, named: true);
        Dictionary<string, Person> byName = Echo(new Dictionary<string, Person> { ["a"] = new("Ada", 36, []) }, named: false);

        Assert.Equal("Ada", ada.Name);
        Assert.Equal(["math", "engines"], ada.Tags);
        Assert.Equal(["Bob", "Cy"], people.Select(static p => p.Name));
        Assert.Equal(36, byName["a"].Age);
        Assert.Equal(new Measurement("kg", 2.5), Echo(new Measurement("kg", 2.5), named: true));
    }

    [Fact]
    public void Raw_json_survives_the_round_trip()
    {
        JsonElement value = JsonDocument.Parse("""{"a": [1, 2.50, "x", null, true, {"b": {}}]}""").RootElement;

        Assert.True(JsonElement.DeepEquals(value, Echo(value, named: false)));
        Assert.True(JsonElement.DeepEquals(value, Echo(value, named: true)));
    }

    [Fact]
    public void Void_method_round_trip_gives_a_null_result()
    {
        RpcRequest call = _client.CreateRequestBuilder("update").Add(1).Build();

        var received = (RpcRequest)_server.ParseRequest(call.Serialize());
        var reply = (RpcResponse)_client.ParseReply(received.Respond()!.Serialize());

        Assert.False(reply.IsError);
        Assert.Null(reply.GetResult<object?>());
        Assert.Equal(JsonValueKind.Null, reply.GetResult<JsonElement>().ValueKind);
    }

    [Fact]
    public void Error_round_trip_raises_the_server_error_on_the_client()
    {
        RpcRequest call = _client.CreateRequest("reverse_string", ["rotator"]);

        ReadOnlyMemory<byte> reply = ExampleServer.HandleIncomingMessage(_server, call.Serialize())!.Value;
        var error = Assert.IsAssignableFrom<RpcErrorResponse>(_client.ParseReply(reply));

        Assert.Equal(call.Id, error.Id);
        JsonRpcException e = Assert.Throws<JsonRpcException>(() => _client.RaiseError(error));
        Assert.Equal(99, e.Code);
        Assert.Equal("Ah, that's cheating", e.Message);
        Assert.Equal("rotator", e.GetData<string>());
    }

    [Fact]
    public void Error_data_of_a_user_type_survives_the_round_trip()
    {
        RpcRequest call = _client.CreateRequestBuilder("m").Build();
        var received = (RpcRequest)_server.ParseRequest(call.Serialize());

        var error = (RpcErrorResponse)_client.ParseReply(received.ErrorRespond(new RpcException(1, "m", new Person("Ada", 3, ["x"])))!.Serialize());

        Assert.Equal("Ada", error.GetData<Person>()!.Name);
        Assert.Equal(["x"], error.ToException().GetData<Person>()!.Tags);
    }

    [Fact]
    public void Batch_round_trip_matches_responses_to_requests()
    {
        RpcRequest subtract = _client.CreateRequestBuilder("subtract").Add(42).Add(23).Build();
        RpcRequest named = _client.CreateRequestBuilder("subtract").Add("subtrahend", 42).Add("minuend", 23).Build();
        RpcRequest notify = _client.CreateRequestBuilder("notify_hello", oneWay: true).Add(7).Build();
        RpcRequest unknown = _client.CreateRequest("foo.get", kwargs: new Dictionary<string, object?> { ["name"] = "myself" });
        RpcRequest sum = _client.CreateRequest("sum", [1, 2, 4]);
        RpcRequest data = _client.CreateRequest("get_data");
        RpcBatchRequest batch = _client.CreateBatchRequest([subtract, named, notify, unknown, sum, data]);

        ReadOnlyMemory<byte> reply = ExampleServer.HandleIncomingMessage(_server, batch.Serialize())!.Value;
        var responses = Assert.IsAssignableFrom<RpcBatchResponse>(_client.ParseReply(reply));

        Assert.Equal([subtract.Id, named.Id, unknown.Id, sum.Id, data.Id], responses.Select(static r => r.Id));
        Dictionary<RpcId, RpcResponse> byId = responses.ToDictionary(static r => r.Id);
        Assert.Equal(19, byId[subtract.Id].GetResult<int>());
        Assert.Equal(-19, byId[named.Id].GetResult<int>());
        Assert.Equal(7, byId[sum.Id].GetResult<int>());
        Assert.Equal(["hello", "5"], byId[data.Id].GetResult<JsonElement>().EnumerateArray().Select(static e => e.ToString()));
        var notFound = Assert.IsAssignableFrom<RpcErrorResponse>(byId[unknown.Id]);
        Assert.Equal(RpcErrorCodes.MethodNotFound, Assert.Throws<JsonRpcException>(() => _client.RaiseError(notFound)).Code);
    }

    [Fact]
    public void Batch_round_trip_with_the_server_parsing_every_member()
    {
        RpcRequest[] calls = Enumerable.Range(0, 50).Select(i => _client.CreateRequestBuilder("sum").Add(i).Add(i).Build()).ToArray();

        var batch = Assert.IsAssignableFrom<RpcBatchRequest>(_server.ParseRequest(_client.CreateBatchRequest(calls).Serialize()));
        RpcBatchResponse? responses = batch.CreateBatchResponse(batch.Select(static item =>
        {
            Assert.True(item.Request!.Arguments.TryGet(0, "a", out int a));
            return item.Request.Respond(2 * a);
        }));
        var parsed = Assert.IsAssignableFrom<RpcBatchResponse>(_client.ParseReply(responses!.Serialize()));

        Assert.Equal(calls.Select(static c => c.Id), parsed.Select(static r => r.Id));
        Assert.Equal(Enumerable.Range(0, 50).Select(static i => 2 * i), parsed.Select(static r => r.GetResult<int>()));
    }

    [Fact]
    public void Batch_response_is_null_when_no_member_expects_a_reply()
    {
        var batch = (RpcBatchRequest)_server.ParseRequest(_client.CreateBatchRequest(
        [
            _client.CreateRequest("update", [1], oneWay: true),
            _client.CreateRequest("update", [2], oneWay: true),
        ]).Serialize());

        Assert.Null(batch.CreateBatchResponse(batch.Select(static item => item.Request!.Respond())));
        Assert.Null(batch.CreateBatchResponse([null, null]));
        Assert.Null(batch.CreateBatchResponse([]));
    }

    [Fact]
    public void One_protocol_instance_serves_many_threads()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 4_000, i =>
        {
            RpcRequest call = (i % 4) switch
            {
                0 => _client.CreateRequestBuilder("echo").Add(i).Build(),
                1 => _client.CreateRequestBuilder("echo").Add("value", "s" + i).Build(),
                2 => _client.CreateRequest("echo", [new Person("P" + i, i, [])]),
                _ => _client.CreateRequestBuilder("echo").Add(new List<int> { i, -i }).Build(),
            };
            var received = (RpcRequest)_server.ParseRequest(call.Serialize());
            RpcResponse? response = (i % 4) switch
            {
                0 => received.Arguments.TryGet(0, "value", out int n) ? received.Respond(n) : null,
                1 => received.Arguments.TryGet("value", out string? s) ? received.Respond(s) : null,
                2 => received.Arguments.TryGet(0, "value", out Person? p) ? received.Respond(p) : null,
                _ => received.Arguments.TryGet(0, "value", out List<int>? l) ? received.Respond(l) : null,
            };
            var reply = (RpcResponse)_client.ParseReply(response!.Serialize());
            bool ok = reply.Id == call.Id && (i % 4) switch
            {
                0 => reply.GetResult<int>() == i,
                1 => reply.GetResult<string>() == "s" + i,
                2 => reply.GetResult<Person>().Age == i,
                _ => reply.GetResult<List<int>>() is [var a, var b] && a == i && b == -i,
            };
            if (!ok)
            {
                failures.Add($"{i}: {JsonAssert.Text(reply.Serialize())}");
            }
        });

        Assert.Empty(failures);
    }

    [Fact]
    public void Requests_parsed_by_the_server_serialize_to_what_was_received()
    {
        RpcRequest call = _client.CreateRequestBuilder("subtract").Add("minuend", 42).Add("subtrahend", 23).Build();

        var received = (RpcRequest)_server.ParseRequest(call.Serialize());

        Assert.Equal(call.Serialize().ToArray(), received.Serialize().ToArray());
    }
}
