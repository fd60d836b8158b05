using TinyRpc.Dispatch;
using TinyRpc.Generated;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using static TinyRpc.Integration.Tests.JsonRpcKit;

namespace TinyRpc.Integration.Tests;

/// <summary>Generated dispatch tables and intercepted AddMethod calls, served through RpcDispatcher and JSON-RPC.</summary>
public class DispatchTests
{
    private static RpcDispatcher WebsiteDispatcher()
    {
        var dispatcher = new RpcDispatcher();
        static string version() => "1.0";
        static string hello() => "Hello!";

        dispatcher.AddMethod(version);
        dispatcher.AddMethod(hello);
        dispatcher.RegisterInstance(new SomeWebsite("a"), "sitea.");
        dispatcher.RegisterInstance((object)new SomeWebsite("b"), "siteb.");
        return dispatcher;
    }

    [Fact]
    public void Some_website_example_knows_six_methods()
    {
        RpcDispatcher dispatcher = WebsiteDispatcher();
        string[] known = ["version", "hello", "sitea.get_user_info", "sitea.get_user_comment", "siteb.get_user_info", "siteb.get_user_comment"];
        foreach (string name in known)
        {
            Assert.True(dispatcher.TryGetMethod(name, out _), name);
        }

        foreach (string name in (string[])["sitea.Secret", "sitea.secret", "sitea.GetComment", "sitea.get_comment", "Site", "sitea.RpcTable"])
        {
            Assert.False(dispatcher.TryGetMethod(name, out _), name);
        }

        Assert.Equal(["hello", "version"], dispatcher.MethodNames.Order(StringComparer.Ordinal));
        Assert.Equal(["user"], dispatcher.GetMethod("sitea.get_user_info").Parameters.Select(p => p.Name));
    }

    [Fact]
    public async Task Some_website_example_answers_each_site()
    {
        RpcDispatcher dispatcher = WebsiteDispatcher();
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":{"Name":"ann","Site":"a"}}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"sitea.get_user_info","params":["ann"],"id":1}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":"comment 7 on b"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"siteb.get_user_comment","params":{"commentId":7},"id":2}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":3,"result":"1.0"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"version","id":3}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":4,"result":"Hello!"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"hello","params":[],"id":4}"""));
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"sitea.Secret","id":5}"""), -32601, "Method not found");
    }

    [Fact]
    public async Task By_name_arguments_use_the_naming_policy_of_the_service()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new CommentService());
        Assert.Equal(["comment_id", "user_name"], dispatcher.GetMethod("get_user_comment").Parameters.Select(p => p.Name));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":"ann: comment 7"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"get_user_comment","params":{"comment_id":7,"user_name":"ann"},"id":1}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":"anon: comment 8"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"get_user_comment","params":{"comment_id":8},"id":2}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":3,"result":"bob: comment 9"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"get_user_comment","params":[9,"bob"],"id":3}"""));

        // One name per parameter: the C# name is not a second spelling, and errors give the wire name.
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"get_user_comment","params":{"commentId":7},"id":4}"""), -32602, "'commentId'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"get_user_comment","params":{"user_name":"ann"},"id":5}"""), -32602, "'comment_id'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"get_user_comment","params":{"comment_id":"x"},"id":6}"""), -32602, "'comment_id'");
    }

    [Fact]
    public async Task RpcName_renames_one_parameter_on_the_wire()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new CommentService());
        Assert.Equal(["first_index", "last", "extra_labels"], dispatcher.GetMethod("format_range").Parameters.Select(p => p.Name));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":"1..3 a b"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"format_range","params":{"last":3,"first_index":1,"extra_labels":["a","b"]},"id":1}"""));
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"format_range","params":{"first_index":1,"last_index":3},"id":2}"""), -32602, "'last_index'");

        // A class follows the naming policy and [RpcName] of the interface that declares the method.
        var inventory = new RpcDispatcher();
        inventory.RegisterInstance(new Inventory());
        AssertJsonEqual("""{"jsonrpc":"2.0","id":3,"result":204}""",
            await DispatchAsync(inventory, """{"jsonrpc":"2.0","method":"count_items","params":{"warehouse_id":2,"sku":"abcd"},"id":3}"""));
        AssertError(await DispatchAsync(inventory, """{"jsonrpc":"2.0","method":"count_items","params":{"warehouse_id":2,"stock_keeping_unit":"abcd"},"id":4}"""), -32602, "'stock_keeping_unit'");

        // An override keeps the wire name its base method's parameter was given.
        var counter = new RpcDispatcher();
        counter.RegisterInstance(new Counter());
        AssertJsonEqual("""{"jsonrpc":"2.0","id":5,"result":6}""",
            await DispatchAsync(counter, """{"jsonrpc":"2.0","method":"Add","params":{"n":3},"id":5}"""));
    }

    [Fact]
    public async Task Palindrome_error_carries_code_message_and_data()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new StringService());
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":"rotcod"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"reverse_string","params":["doctor"],"id":1}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"error":{"code":99,"message":"Ah, that's cheating","data":"rotator"}}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"reverse_string","params":["rotator"],"id":1}"""));
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"ReverseStringAsync","params":["x"],"id":2}"""), -32601, "Method not found");
    }

    [Fact]
    public async Task Arguments_by_position_and_by_name()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Calculator());
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":19}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":19}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":{"subtrahend":23,"minuend":42},"id":2}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":3,"result":2.5}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"divide","params":{"a":5,"b":2},"id":3}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":4,"result":3}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"count","params":[[1,2,3]],"id":4}"""));
    }

    [Fact]
    public async Task Optional_parameters_take_their_defaults()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Calculator());
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":11}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"add","params":[1],"id":1}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":3}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"add","params":[1,2],"id":2}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":3,"result":11}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"add","params":{"a":1},"id":3}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":4,"result":"Hello, Ann"}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"greet","params":["Ann"],"id":4}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":5,"result":"Hi, Dr Ann"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"greet","params":{"name":"Ann","greeting":"Hi","title":"Dr"},"id":5}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":6,"result":"Hello, Ann"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"greet","params":["Ann",null],"id":6}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":7,"result":-1}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"count","params":[null],"id":7}"""));
    }

    [Fact]
    public async Task Params_array_gathers_the_remaining_positional_arguments()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Calculator());

        // The JSON-RPC 2.0 specification's example.
        AssertJsonEqual("""{"jsonrpc":"2.0","id":"1","result":7}""", await DispatchAsync(dispatcher, """{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":0}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"sum","id":2}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":3,"result":7}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"sum","params":{"values":[1,2,4]},"id":3}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":4,"result":"a-b-c"}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"join","params":["-","a","b","c"],"id":4}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":5,"result":"a+b"}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"join","params":{"separator":"+","parts":["a","b"]},"id":5}"""));
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"join","params":["-","a",null],"id":6}"""), -32602, "'parts'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"sum","params":[1,"two"],"id":7}"""), -32602, "'values'");
    }

    [Fact]
    public async Task Nulls_for_non_nullable_parameters_are_invalid_params()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Calculator());
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"greet","params":[null],"id":1}"""), -32602, "'name'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"greet","params":{"name":"Ann","greeting":null},"id":2}"""), -32602, "'greeting'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[null,1],"id":3}"""), -32602, "'minuend'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"divide","params":{"a":1,"b":null},"id":4}"""), -32602, "'b'");
    }

    [Fact]
    public async Task Unknown_missing_and_mistyped_arguments_name_the_parameter()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Calculator());
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":{"minuend":1,"subtrahend":2,"extra":3},"id":1}"""), -32602, "'extra'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":{"minuend":1},"id":2}"""), -32602, "'subtrahend'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[1],"id":3}"""), -32602, "'subtrahend'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[1,"two"],"id":4}"""), -32602, "'subtrahend'");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"subtract","params":[1,2,3],"id":5}"""), -32602, "Invalid params");
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"count","params":{"values":"many"},"id":6}"""), -32602, "'values'");

        // Without the validator the generated decoder still names the missing parameter.
        dispatcher.Validator = null;
        var bare = new RpcDispatcher { Validator = null };
        bare.RegisterInstance(new Calculator());
        AssertError(await DispatchAsync(bare, """{"jsonrpc":"2.0","method":"subtract","params":{"minuend":1},"id":7}"""), -32602, "'subtrahend'");
    }

    [Fact]
    public async Task Void_task_and_value_task_methods_answer_with_null()
    {
        var calculator = new Calculator();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(calculator);
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":null}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"notify","id":1}"""));
        Assert.Null(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"notify"}"""));
        Assert.Equal(2, calculator.Notifications);
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":null}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"wait","params":[5],"id":2}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":3,"result":null}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"done","id":3}"""));
    }

    [Fact]
    public async Task Synchronous_methods_complete_synchronously()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Calculator());
        var request = (RpcRequest)new JsonRpcProtocol().ParseRequest("""{"jsonrpc":"2.0","method":"subtract","params":[3,1],"id":1}"""u8.ToArray());
        ValueTask<RpcResponse?> pending = dispatcher.GetMethod("subtract").InvokeAsync(request);
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal(2, (await pending)!.GetResult<int>());
    }

    [Fact]
    public async Task Cancellation_token_flows_into_the_method_and_is_not_a_wire_parameter()
    {
        var calculator = new Calculator();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(calculator);
        using var cts = new CancellationTokenSource();
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":true}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"token_can_cancel","id":1}""", cts.Token));
        Assert.Equal(cts.Token, calculator.LastToken);
        Assert.Equal(["milliseconds"], dispatcher.GetMethod("wait").Parameters.Select(p => p.Name));
        Assert.Empty(dispatcher.GetMethod("token_can_cancel").Parameters);

        await cts.CancelAsync();
        string? reply = await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"wait","params":[10000],"id":2}""", cts.Token);
        AssertError(reply, -32800, "cancelled");
    }

    [Fact]
    public async Task A_plain_exception_becomes_a_server_error_with_its_message()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new Calculator());
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"boom"}}""",
            await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"fail","params":["boom"],"id":1}"""));
    }

    [Fact]
    public async Task Static_methods_register_without_an_instance()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterStatic<MathService>("math.");
        AssertJsonEqual("""{"jsonrpc":"2.0","id":1,"result":49}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"math.square","params":[7],"id":1}"""));
        AssertJsonEqual("""{"jsonrpc":"2.0","id":2,"result":27}""", await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"math.cubeAsync","params":{"x":3},"id":2}"""));
        AssertError(await DispatchAsync(dispatcher, """{"jsonrpc":"2.0","method":"math.instance","id":3}"""), -32601, "Method not found");

        var all = new RpcDispatcher();
        all.RegisterInstance(new MathService(), "math.");
        AssertJsonEqual("""{"jsonrpc":"2.0","id":4,"result":42}""", await DispatchAsync(all, """{"jsonrpc":"2.0","method":"math.instance","id":4}"""));

        var calculator = new RpcDispatcher();
        calculator.RegisterStatic<Calculator>();
        AssertJsonEqual("""{"jsonrpc":"2.0","id":5,"result":6}""", await DispatchAsync(calculator, """{"jsonrpc":"2.0","method":"scale","params":[3],"id":5}"""));
        Assert.False(calculator.TryGetMethod("subtract", out _));
    }

    [Fact]
    public void Generated_table_describes_parameters()
    {
        RpcMethodDescriptor<Calculator> greet = Calculator.RpcTable.Methods.Single(m => m.Name == "greet");
        Assert.Equal(
            [new RpcParameter("name", typeof(string)), new RpcParameter("title", typeof(string), IsOptional: true), new RpcParameter("greeting", typeof(string), IsOptional: true)],
            greet.Parameters);
        RpcMethodDescriptor<Calculator> sum = Calculator.RpcTable.Methods.Single(m => m.Name == "sum");
        Assert.True(sum.IsStatic);
        Assert.Equal([new RpcParameter("values", typeof(int[]), IsParamArray: true)], sum.Parameters);
        Assert.Equal(
            ["add", "count", "divide", "done", "fail", "greet", "join", "notify", "scale", "subtract", "sum", "token_can_cancel", "wait"],
            Calculator.RpcTable.Methods.Select(m => m.Name));
    }

    [Fact]
    public void Interface_public_methods_use_the_interface_names()
    {
        Assert.Equal(
            ["describe", "echo", "multiply", "ping", "record", "slow", "sum", "touch"],
            EchoService.RpcTable.Methods.Select(m => m.Name));
    }
}
