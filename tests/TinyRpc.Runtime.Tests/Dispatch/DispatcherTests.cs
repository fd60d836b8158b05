using System.Text;
using System.Text.Json.Nodes;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Dispatch;

public class DispatcherTests
{
    private static readonly JsonRpcProtocol Protocol = new();

    private static async Task<JsonNode?> Dispatch(RpcDispatcher dispatcher, string json)
    {
        RpcMessage? reply;
        try
        {
            reply = await dispatcher.DispatchAsync(Protocol.ParseRequest(Encoding.UTF8.GetBytes(json)));
        }
        catch (BadRequestException e)
        {
            reply = Protocol.ErrorRespond(e);
        }

        return reply is null ? null : JsonNode.Parse(reply.Serialize().Span);
    }

    private static RpcDispatcher Website()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("version", static (request, _) => new(request.Respond("1.0")));
        dispatcher.AddMethod("hello", static (request, _) => new(request.Respond("hello")));
        dispatcher.RegisterInstance(new SomeWebsite("a"), "sitea.");
        dispatcher.RegisterInstance(new SomeWebsite("b"), "siteb.");
        return dispatcher;
    }

    [Fact]
    public async Task Registers_six_methods_as_in_the_tinyrpc_example()
    {
        RpcDispatcher dispatcher = Website();
        foreach (string name in new[] { "version", "hello", "sitea.get_user_info", "sitea.get_user_comment", "siteb.get_user_info", "siteb.get_user_comment" })
        {
            Assert.EndsWith(dispatcher.GetMethod(name).Name, name, StringComparison.Ordinal);
        }

        Assert.Throws<MethodNotFoundException>(() => dispatcher.GetMethod("sitea.secret"));
        Assert.Equal("b:ann", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"siteb.get_user_info","params":["ann"],"id":1}"""))!["result"]);
        Assert.Equal("a:comment7", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"sitea.get_user_comment","params":{"comment_id":7},"id":2}"""))!["result"]);
    }

    [Fact]
    public async Task Null_params_are_no_parameters()
    {
        RpcDispatcher dispatcher = Website();
        Assert.Equal("1.0", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"version","params":null,"id":1}"""))!["result"]);

        // A method that needs parameters says which one is missing, as when params is left out.
        JsonNode error = (await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"sitea.get_user_comment","params":null,"id":2}"""))!["error"]!;
        Assert.Equal(-32602, (int)error["code"]!);
        Assert.Contains("comment_id", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(2, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"sitea.get_user_comment","params":null,"id":2}"""))!["id"]!);

        // A notification with null params is still a notification.
        Assert.Null(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"version","params":null}"""));
    }

    [Fact]
    public void Adding_a_name_twice_is_an_error()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("x", static (r, _) => new(r.Respond(1)));
        Assert.Throws<RpcException>(() => dispatcher.AddMethod("x", static (r, _) => new(r.Respond(2))));
    }

    [Fact]
    public async Task Own_methods_are_found_before_subdispatchers()
    {
        var sub = new RpcDispatcher();
        sub.AddMethod("b", static (r, _) => new(r.Respond("sub")));
        var dispatcher = new RpcDispatcher();
        dispatcher.AddSubdispatcher(sub, "a.");
        dispatcher.AddMethod("a.b", static (r, _) => new(r.Respond("own")));
        Assert.Equal("own", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"a.b","id":1}"""))!["result"]);
    }

    [Fact]
    public async Task The_first_subdispatcher_to_claim_a_name_keeps_it()
    {
        var first = new RpcDispatcher();
        first.AddMethod("b", static (r, _) => new(r.Respond("first")));
        var second = new RpcDispatcher();
        second.AddMethod("a.b", static (r, _) => new(r.Respond("second")));
        second.AddMethod("c", static (r, _) => new(r.Respond("second's c")));
        var dispatcher = new RpcDispatcher();
        dispatcher.AddSubdispatcher(first, "a.");
        dispatcher.AddSubdispatcher(second);
        Assert.Equal("first", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"a.b","id":1}"""))!["result"]);
        Assert.Equal("second's c", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"c","id":2}"""))!["result"]);
        Assert.Equal(-32601, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"a.c","id":3}"""))!["error"]!["code"]!);
    }

    [Fact]
    public async Task Subdispatchers_are_searched_by_prefix_group_as_in_tinyrpc()
    {
        // tinyrpc keeps subdispatchers as {prefix: [dispatchers]} in the order each prefix was first used: A and
        // C share "x.", which came before "", so C is asked before B, although B was added before C.
        var a = new RpcDispatcher();
        a.AddMethod("n", static (r, _) => new(r.Respond("A")));
        var b = new RpcDispatcher();
        b.AddMethod("x.m", static (r, _) => new(r.Respond("B")));
        var c = new RpcDispatcher();
        c.AddMethod("m", static (r, _) => new(r.Respond("C")));
        var dispatcher = new RpcDispatcher();
        dispatcher.AddSubdispatcher(a, "x.");
        dispatcher.AddSubdispatcher(b);
        dispatcher.AddSubdispatcher(c, "x.");

        Assert.Same(c.GetMethod("m"), dispatcher.GetMethod("x.m"));
        Assert.Equal("C", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"x.m","id":1}"""))!["result"]);
    }

    [Fact]
    public async Task The_flattened_table_and_the_walking_lookup_agree_with_tinyrpc_in_every_order()
    {
        // Four subdispatchers whose names overlap: every order of adding them, looked up both ways (GetMethod walks
        // the prefixes; a dispatched request uses the flattened table), against tinyrpc's algorithm written out.
        (string Label, string Prefix, string[] Names)[] subs =
        [
            ("A", "x.", ["n"]),
            ("B", "", ["x.m", "x.n"]),
            ("C", "x.", ["m"]),
            ("D", "", ["m", "x.m"]),
        ];
        string[] queries = ["x.m", "x.n", "m", "n", "x.x", "own"];
        foreach (int[] order in Permutations([0, 1, 2, 3]))
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.AddMethod("own", static (r, _) => new(r.Respond("own")));
            var labels = new Dictionary<RpcMethod, string>(ReferenceEqualityComparer.Instance) { [dispatcher.GetMethod("own")] = "own" };
            foreach (int i in order)
            {
                var sub = new RpcDispatcher();
                foreach (string name in subs[i].Names)
                {
                    string label = subs[i].Label;
                    var method = new RpcMethod(name, [], (r, _) => new(r.Respond(label)));
                    sub.AddMethod(method);
                    labels[method] = label;
                }

                dispatcher.AddSubdispatcher(sub, subs[i].Prefix);
            }

            foreach (string query in queries)
            {
                string? expected = TinyRpcLookup(order.Select(i => subs[i]).ToArray(), query);
                string context = $"order {string.Concat(order.Select(i => subs[i].Label))}, name {query}";
                string? walked = dispatcher.TryGetMethod(query, out RpcMethod? found) ? labels[found] : null;
                Assert.True(expected == walked, $"{context}: tinyrpc finds {expected ?? "nothing"}, GetMethod {walked ?? "nothing"}");
                JsonNode reply = (await Dispatch(dispatcher, $$"""{"jsonrpc":"2.0","method":"{{query}}","id":1}"""))!;
                string? dispatched = (string?)reply["result"];
                Assert.True(expected == dispatched, $"{context}: tinyrpc finds {expected ?? "nothing"}, the table {dispatched ?? "nothing"}");
            }
        }

        // tinyrpc 1.1's get_method: own methods, then each prefix in the order it was first added, then each
        // subdispatcher under that prefix in the order it was added.
        static string? TinyRpcLookup((string Label, string Prefix, string[] Names)[] added, string name)
        {
            if (name == "own")
            {
                return "own";
            }

            foreach (string prefix in added.Select(static s => s.Prefix).Distinct())
            {
                if (!name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                foreach ((string label, string p, string[] names) in added)
                {
                    if (p == prefix && names.Contains(name[prefix.Length..]))
                    {
                        return label;
                    }
                }
            }

            return null;
        }

        static IEnumerable<int[]> Permutations(int[] items)
        {
            if (items.Length <= 1)
            {
                yield return items;
                yield break;
            }

            for (int i = 0; i < items.Length; i++)
            {
                int[] rest = [.. items[..i], .. items[(i + 1)..]];
                foreach (int[] tail in Permutations(rest))
                {
                    yield return [items[i], .. tail];
                }
            }
        }
    }

    [Fact]
    public async Task A_subdispatcher_added_later_under_an_earlier_prefix_is_searched_with_its_group()
    {
        // The flattened table is rebuilt after each registration and must place the newcomer in its group.
        var early = new RpcDispatcher();
        var wide = new RpcDispatcher();
        wide.AddMethod("x.m", static (r, _) => new(r.Respond("wide")));
        var dispatcher = new RpcDispatcher();
        dispatcher.AddSubdispatcher(early, "x.");
        dispatcher.AddSubdispatcher(wide);
        Assert.Equal("wide", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"x.m","id":1}"""))!["result"]);

        var late = new RpcDispatcher();
        late.AddMethod("m", static (r, _) => new(r.Respond("late")));
        dispatcher.AddSubdispatcher(late, "x.");
        Assert.Equal("late", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"x.m","id":2}"""))!["result"]);
        Assert.Equal("late", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"x.m","id":3}"""))!["result"]);
        Assert.Same(late.GetMethod("m"), dispatcher.GetMethod("x.m"));
    }

    [Fact]
    public async Task Methods_registered_after_the_first_request_are_found()
    {
        var inner = new RpcDispatcher();
        var middle = new RpcDispatcher();
        middle.AddSubdispatcher(inner, "b.");
        var dispatcher = new RpcDispatcher();
        dispatcher.AddSubdispatcher(middle, "a.");
        Assert.Equal(-32601, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"a.b.c","id":1}"""))!["error"]!["code"]!);

        inner.AddMethod("c", static (r, _) => new(r.Respond("late")));
        Assert.Equal("late", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"a.b.c","id":2}"""))!["result"]);

        // A name that shadows it, added later to a dispatcher searched earlier, takes over.
        dispatcher.AddMethod("a.b.c", static (r, _) => new(r.Respond("own")));
        Assert.Equal("own", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"a.b.c","id":3}"""))!["result"]);
    }

    [Fact]
    public async Task Escaped_and_non_ascii_method_names_are_found()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("add", static (r, _) => new(r.Respond("add")));
        dispatcher.AddMethod("grüße", static (r, _) => new(r.Respond("greetings")));
        Assert.Equal("add", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"\u0061dd","id":1}"""))!["result"]);
        Assert.Equal("greetings", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"grüße","id":2}"""))!["result"]);
        Assert.Equal("greetings", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"gr\u00fc\u00dfe","id":3}"""))!["result"]);
        Assert.Equal(-32601, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"addd","id":4}"""))!["error"]!["code"]!);
        Assert.Equal(-32601, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"","id":5}"""))!["error"]!["code"]!);
    }

    [Fact]
    public async Task Deeply_nested_subdispatchers_are_still_searched()
    {
        var dispatcher = new RpcDispatcher();
        RpcDispatcher current = dispatcher;
        for (int i = 0; i < 40; i++)
        {
            var next = new RpcDispatcher();
            current.AddSubdispatcher(next, "n.");
            current = next;
        }

        current.AddMethod("leaf", static (r, _) => new(r.Respond("deep")));
        string name = string.Concat(Enumerable.Repeat("n.", 40)) + "leaf";
        Assert.Equal("deep", (string?)(await Dispatch(dispatcher, $$"""{"jsonrpc":"2.0","method":"{{name}}","id":1}"""))!["result"]);
    }

    [Fact]
    public async Task A_dispatcher_shared_under_many_prefixes_at_many_levels_is_still_searched()
    {
        // Each level reaches the next under two prefixes: 2^24 paths to the leaf, far too many to flatten.
        var dispatcher = new RpcDispatcher();
        RpcDispatcher current = dispatcher;
        for (int i = 0; i < 24; i++)
        {
            var next = new RpcDispatcher();
            current.AddSubdispatcher(next, "a.");
            current.AddSubdispatcher(next, "b.");
            current = next;
        }

        current.AddMethod("leaf", static (r, _) => new(r.Respond("found")));
        string name = string.Concat(Enumerable.Range(0, 24).Select(static i => i % 3 == 0 ? "b." : "a.")) + "leaf";
        Assert.Equal("found", (string?)(await Dispatch(dispatcher, $$"""{"jsonrpc":"2.0","method":"{{name}}","id":1}"""))!["result"]);
        Assert.Equal(-32601, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"c.leaf","id":2}"""))!["error"]!["code"]!);
    }

    [Fact]
    public void A_cycle_of_subdispatchers_is_refused()
    {
        var a = new RpcDispatcher();
        var b = new RpcDispatcher();
        var c = new RpcDispatcher();
        a.AddSubdispatcher(b);
        b.AddSubdispatcher(c, "x.");
        Assert.Throws<ArgumentException>(() => c.AddSubdispatcher(a));
        Assert.Throws<ArgumentException>(() => a.AddSubdispatcher(a));
        a.AddSubdispatcher(c, "again."); // the same dispatcher twice, without a cycle, is allowed
        Assert.Throws<MethodNotFoundException>(() => a.GetMethod("nothing"));
    }

    [Fact]
    public async Task Unknown_method_is_method_not_found()
    {
        JsonNode reply = (await Dispatch(Website(), """{"jsonrpc":"2.0","method":"nope","id":3}"""))!;
        Assert.Equal(-32601, (int)reply["error"]!["code"]!);
        Assert.Equal(3, (int)reply["id"]!);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","method":"subtract","params":[1,2,3],"id":1}""", "takes 2")]
    [InlineData("""{"jsonrpc":"2.0","method":"subtract","params":[],"id":1}""", "minuend")]
    [InlineData("""{"jsonrpc":"2.0","method":"subtract","params":{"minuend":1,"bogus":2},"id":1}""", "bogus")]
    [InlineData("""{"jsonrpc":"2.0","method":"subtract","params":["x"],"id":1}""", "minuend")]
    public async Task Invalid_params_name_the_problem(string request, string mentioned)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterStatic<Calculator>();
        JsonNode reply = (await Dispatch(dispatcher, request))!;
        Assert.Equal(-32602, (int)reply["error"]!["code"]!);
        Assert.Contains(mentioned, (string)reply["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validator_can_be_switched_off()
    {
        var dispatcher = new RpcDispatcher { Validator = null };
        dispatcher.RegisterStatic<Calculator>();
        JsonNode reply = (await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[5,2,99],"id":1}"""))!;
        Assert.Equal(3, (int)reply["result"]!);
    }

    [Fact]
    public async Task Replaceable_validator_is_called()
    {
        var seen = new List<string>();
        var dispatcher = new RpcDispatcher { Validator = (m, a) => seen.Add(m.Name + "/" + a.Count) };
        dispatcher.RegisterStatic<Calculator>();
        await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[5,2],"id":1}""");
        Assert.Equal(["subtract/2"], seen);
    }

    [Fact]
    public async Task Exceptions_from_the_method_carry_their_message_code_and_data()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("plain", static (_, _) => throw new InvalidOperationException("boom"));
        dispatcher.AddMethod("fixed", static (_, _) => throw new RpcException(99, "Ah, that's cheating", "rotator"));
        dispatcher.AddMethod("async", static async (_, _) =>
        {
            await Task.Yield();
            throw new ArgumentException("late");
        });

        JsonNode plain = (await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"plain","id":1}"""))!;
        Assert.Equal(-32000, (int)plain["error"]!["code"]!);
        Assert.Equal("boom", (string)plain["error"]!["message"]!);
        Assert.Null(plain["error"]!["data"]); // no type names or stack traces by default

        JsonNode fixedError = (await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"fixed","id":2}"""))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"code":99,"message":"Ah, that's cheating","data":"rotator"}"""), fixedError["error"]));

        JsonNode late = (await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"async","id":3}"""))!;
        Assert.Equal("late", (string)late["error"]!["message"]!);
    }

    [Fact]
    public async Task Exception_details_only_when_opted_in()
    {
        var dispatcher = new RpcDispatcher { IncludeExceptionDetails = true };
        dispatcher.AddMethod("plain", static (_, _) => throw new InvalidOperationException("boom"));
        JsonNode reply = (await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"plain","id":1}"""))!;
        Assert.Equal("System.InvalidOperationException", (string)reply["error"]!["data"]!["type"]!);
    }

    [Fact]
    public async Task A_result_that_cannot_be_written_is_an_internal_error_without_details()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("nan", static (r, _) => new(r.Respond(double.NaN)));
        JsonNode reply = (await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"nan","id":1}"""))!;
        Assert.Equal(-32603, (int)reply["error"]!["code"]!);
        Assert.Equal("Internal error", (string)reply["error"]!["message"]!);
    }

    [Fact]
    public async Task Batches_are_answered_in_order_and_notifications_are_silent()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterStatic<Calculator>();
        JsonNode reply = (await Dispatch(dispatcher, """
            [{"jsonrpc":"2.0","method":"subtract","params":[9,1],"id":"a"},
             {"jsonrpc":"2.0","method":"subtract","params":[1,1]},
             {"foo":"boo"},
             {"jsonrpc":"2.0","method":"slow_add","params":[2,3],"id":"b"}]
            """))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"jsonrpc":"2.0","id":"a","result":8},
             {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request","data":"Unknown member 'foo'."}},
             {"jsonrpc":"2.0","id":"b","result":5}]
            """), reply));
        Assert.Null(await Dispatch(dispatcher, """[{"jsonrpc":"2.0","method":"subtract","params":[1,1]}]"""));
    }

    [Fact]
    public async Task Cancellation_token_reaches_the_method()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterStatic<Calculator>();
        var request = (RpcRequest)Protocol.ParseRequest("""{"jsonrpc":"2.0","method":"slow_add","params":[1,2],"id":1}"""u8.ToArray());
        RpcResponse? response = await dispatcher.DispatchAsync(request, new CancellationToken(canceled: true));
        Assert.True(response!.IsError);
    }

    [Fact]
    public async Task Caller_hook_wraps_every_call()
    {
        var calls = new List<string>();
        var dispatcher = new RpcDispatcher { Caller = (m, r, ct) => { calls.Add(m.Name); return m.InvokeAsync(r, ct); } };
        dispatcher.RegisterStatic<Calculator>();
        await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[3,1],"id":1}""");
        Assert.Equal(["subtract"], calls);
    }

#pragma warning disable IL2026, IL3050 // the reflection fallback of AddMethod(Delegate), tested here on purpose
    [Fact]
    public async Task Delegates_added_without_the_generator_work_through_the_fallback()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod((Func<string, string>)ReverseString);
        dispatcher.AddMethod((int a, int b = 10) => a + b, "add");
        dispatcher.AddMethod(async (int a, CancellationToken ct) => { await Task.Delay(1, ct); return a * 2; }, "twice");
        Assert.Equal("cba", (string?)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"ReverseString","params":["abc"],"id":1}"""))!["result"]);
        Assert.Equal(11, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"add","params":{"a":1},"id":2}"""))!["result"]!);
        Assert.Equal(8, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"twice","params":[4],"id":3}"""))!["result"]!);
    }

    [Fact]
    public async Task The_fallback_reads_RpcName_and_refuses_names_a_call_could_not_use()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod(([RpcName("user-id")] int userId, int factor) => userId * factor, "scale");
        Assert.Equal(["user-id", "factor"], dispatcher.GetMethod("scale").Parameters.Select(p => p.Name));
        Assert.Equal(12, (int)(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"scale","params":{"user-id":4,"factor":3},"id":1}"""))!["result"]!);
        JsonNode error = (await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"scale","params":{"factor":3},"id":2}"""))!["error"]!;
        Assert.Equal(-32602, (int)error["code"]!);
        Assert.Contains("'user-id'", (string?)error["message"], StringComparison.Ordinal);

        ArgumentException twice = Assert.Throws<ArgumentException>(() => dispatcher.AddMethod((int a, [RpcName("a")] int b) => a + b, "twice"));
        Assert.Contains("'a'", twice.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => dispatcher.AddMethod(([RpcName("")] int a) => a, "empty"));
        Assert.Throws<ArgumentException>(() => dispatcher.AddMethod(([RpcName(" a")] int a) => a, "padded"));
        Assert.False(dispatcher.TryGetMethod("twice", out _));
    }
#pragma warning restore IL2026, IL3050

    private static string ReverseString(string s) => new(s.Reverse().ToArray());
}
