using System.Text;
using DispatcherOnly;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

// tinyrpc 1.3: the dispatcher on its own. Two instances of one service under two prefixes, a subdispatcher and
// a plain method added by name (parameters are named as in C#); requests come from a protocol, replies go back as bytes.
var dispatcher = new RpcDispatcher();
dispatcher.RegisterInstance(new SomeWebsite("a.example"), "sitea.");
dispatcher.RegisterInstance(new SomeWebsite("b.example"), "siteb.");
dispatcher.AddMethod("ping", static (request, _) => new(request.Respond("pong")));

var admin = new RpcDispatcher();
admin.AddMethod("uptime", static (request, _) => new(request.Respond(Environment.TickCount64 / 1000)));
dispatcher.AddSubdispatcher(admin, "admin.");

List<string> names = ["sitea.get_user_info", "sitea.get_user_comment", "siteb.get_user_info", "siteb.get_user_comment", "ping", "admin.uptime"];
Console.WriteLine("methods: " + string.Join(", ", names.Where(name => dispatcher.TryGetMethod(name, out _))));

var protocol = new JsonRpcProtocol();
int failures = 0;
async Task<string> CallAsync(string json)
{
    RpcMessage request = protocol.ParseRequest(Encoding.UTF8.GetBytes(json));
    RpcMessage? reply = await dispatcher.DispatchAsync(request);
    string text = reply is null ? "(no reply)" : Encoding.UTF8.GetString(reply.Serialize().Span);
    Console.WriteLine($"--> {json}\n<-- {text}");
    return text;
}

void Expect(string actual, string expected)
{
    bool ok = actual == expected;
    failures += ok ? 0 : 1;
    Console.WriteLine(ok ? "ok" : "WRONG, expected " + expected);
}

Expect(await CallAsync("""{"jsonrpc":"2.0","method":"sitea.get_user_info","params":["ann"],"id":1}"""),
    """{"jsonrpc":"2.0","id":1,"result":"ann@a.example"}""");
Expect(await CallAsync("""{"jsonrpc":"2.0","method":"siteb.get_user_comment","params":{"commentId":7},"id":2}"""),
    """{"jsonrpc":"2.0","id":2,"result":"comment 7 on b.example"}""");
Expect(await CallAsync("""{"jsonrpc":"2.0","method":"ping","id":3}"""), """{"jsonrpc":"2.0","id":3,"result":"pong"}""");
Expect(await CallAsync("""{"jsonrpc":"2.0","method":"sitea.secret","id":4}"""),
    """{"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"Method not found"}}""");
Expect(await CallAsync("""{"jsonrpc":"2.0","method":"sitea.get_user_comment","params":["seven"],"id":5}"""),
    """{"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"Invalid params: parameter 'commentId' cannot be read as Int32: Expected a number, got a string."}}""");

return failures == 0 ? 0 : 1;
