using System.Runtime.InteropServices;
using TinyRpc;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;
using ZmqQuickstart;

// tinyrpc 1.1.2, "0mq": the same client and server as over HTTP, differing only in the transport.
const string DefaultEndpoint = "tcp://127.0.0.1:5001";
string role = args.Length > 0 ? args[0] : "both";
string endpoint = args.Length > 1 ? args[1] : DefaultEndpoint;

switch (role)
{
    case "server":
        using (var stop = new CancellationTokenSource())
        {
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            await ServeAsync(ZmqServerTransport.Create(endpoint), stop.Token);
        }

        return 0;

    case "client":
        Console.WriteLine("Server answered: " + await CallAsync(endpoint));
        return 0;

    case "both":
        using (var stop = new CancellationTokenSource())
        {
            ZmqServerTransport transport = ZmqServerTransport.Create("tcp://127.0.0.1:*");
            Task serving = ServeAsync(transport, stop.Token);
            string answer = await CallAsync(transport.Endpoint!);
            Console.WriteLine("Server answered: " + answer);
            await stop.CancelAsync();
            await serving;
            return answer == "!dlroW ,olleH" ? 0 : 1;
        }

    default:
        Console.Error.WriteLine("usage: ZmqQuickstart [server|client|both] [endpoint]");
        return 2;
}

static async Task ServeAsync(ZmqServerTransport transport, CancellationToken cancellationToken)
{
    using (transport)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new StringService());
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        Console.WriteLine("Serving on " + transport.Endpoint);
        await server.ServeForeverAsync(cancellationToken);
    }
}

static async Task<string> CallAsync(string endpoint)
{
    await using var client = new RpcClient(new JsonRpcProtocol(), ZmqClientTransport.Create(endpoint));
    IStringServer strServer = client.GetProxy<IStringServer>();

    // call a method called 'reverse_string' with a single string argument
    return await strServer.ReverseStringAsync("Hello, World!");
}

namespace ZmqQuickstart
{
    /// <summary>The server's one public method (tinyrpc's <c>@dispatcher.public</c>).</summary>
    [RpcService]
    public sealed partial class StringService
    {
        /// <summary>Returns <paramref name="s"/> reversed.</summary>
        [Public("reverse_string")]
        public static string ReverseString(string s) => string.Create(s.Length, s, static (reversed, text) =>
        {
            // By code point, as Python's s[::-1]: a character outside the Basic Multilingual Plane stays whole.
            int end = reversed.Length;
            foreach (System.Text.Rune rune in text.EnumerateRunes())
            {
                end -= rune.Utf16SequenceLength;
                rune.EncodeToUtf16(reversed[end..]);
            }
        });
    }

    /// <summary>The server's one method, as the client sees it.</summary>
    [RpcService]
    public interface IStringServer
    {
        /// <summary>Returns <paramref name="s"/> reversed.</summary>
        [Public("reverse_string")]
        Task<string> ReverseStringAsync(string s);
    }
}
