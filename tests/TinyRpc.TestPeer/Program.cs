using TinyRpc;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

// Usage: TinyRpc.TestPeer stdio [content-length|newline] | cgi
// stdio: serves until standard input ends, then exits 0 after every reply is written.
// cgi:   serves the one request a web server passes through the CGI environment.
var dispatcher = new RpcDispatcher();
dispatcher.RegisterStatic<PeerService>();

switch (args.FirstOrDefault())
{
    case "stdio":
        MessageFraming framing = args.ElementAtOrDefault(1) == "newline" ? MessageFraming.NewlineDelimited : MessageFraming.ContentLength;
        await using (StreamServerTransport transport = StreamServerTransport.ForStandardIo(framing, maxMessageSize: 64 * 1024))
        {
            await new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync();
        }

        return 0;
    case "cgi":
        var cgi = new CgiServerTransport { MaxContentLength = 64 * 1024 };
        await new RpcServer(cgi, new JsonRpcProtocol(), dispatcher).ReceiveOneMessageAsync();
        return 0;
    default:
        await Console.Error.WriteLineAsync("usage: TinyRpc.TestPeer stdio [content-length|newline] | cgi");
        return 2;
}

[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
internal sealed partial class PeerService
{
    [Public]
    public static int Subtract(int minuend, int subtrahend) => minuend - subtrahend;

    [Public]
    public static string ReverseString(string s) => new(s.Reverse().ToArray());

    [Public]
    public static int ProcessId() => Environment.ProcessId;

    [Public]
    public static async Task<int> Sleep(int ms, CancellationToken cancellationToken)
    {
        await Task.Delay(ms, cancellationToken);
        return ms;
    }

    [Public]
    public static string Fail() => throw new RpcException(99, "Ah, that's cheating");
}
