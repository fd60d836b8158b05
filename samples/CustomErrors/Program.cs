using System.Text.Json;
using CustomErrors;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

// tinyrpc 1.5.4 to 1.5.6: errors with a fixed code and message, errors that carry data, and what a client sees of an
// unexpected failure. Server and client in one process over the in-memory transport.
var protocol = new JsonRpcProtocol(new JsonRpcProtocolOptions { SerializerOptions = new JsonSerializerOptions { TypeInfoResolver = ErrorsJsonContext.Default } });
(InMemoryClientTransport clientTransport, InMemoryServerTransport serverTransport) = InMemoryTransport.CreatePair();
var dispatcher = new RpcDispatcher();
dispatcher.RegisterInstance(new TextService());
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
Task serving = new RpcServer(serverTransport, protocol, dispatcher).ServeForeverAsync(stop.Token);
await using var client = new RpcClient(protocol, clientTransport);
ITextService text = client.GetProxy<ITextService>();

int failures = 0;
void Expect(bool condition, string what)
{
    failures += condition ? 0 : 1;
    Console.WriteLine((condition ? "ok    " : "WRONG ") + what);
}

Expect(await text.ReverseStringAsync("hello") == "olleh", "reverse_string(\"hello\") == \"olleh\"");

try
{
    await text.ReverseStringAsync("otto");
    Expect(false, "a palindrome fails");
}
catch (RpcException e)
{
    // The fixed code and message of PalindromeException, plus the offending word as data.
    Expect(e.Code == 99 && e.Message == "Ah, that's cheating" && e.GetData<string>() == "otto", $"palindrome: {e.Code} {e.Message} (data: {e.GetData<string>()})");
}

try
{
    await text.CheckSpellingAsync("teh qiuck fox");
    Expect(false, "misspelt words fail");
}
catch (RpcException e)
{
    // Structured data, read back as a typed object on the client.
    SpellingReport? report = e.GetData<SpellingReport>();
    Expect(e.Code == -32001 && report is { Words: ["teh", "qiuck"] }, $"spelling: {e.Code} {e.Message} (data: {string.Join(", ", report?.Words ?? [])})");
}

try
{
    await text.CrashAsync();
    Expect(false, "a crash fails");
}
catch (RpcException e)
{
    // Any other exception from the method: its message with the server-error code, as tinyrpc sends it; the
    // exception type and stack trace stay on the server.
    Expect(e.Code == RpcErrorCodes.ServerError && !e.Message.Contains("NullReference", StringComparison.Ordinal), $"crash: {e.Code} {e.Message}");
}

await stop.CancelAsync();
await serving;
return failures == 0 ? 0 : 1;
