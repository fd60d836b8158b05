using System.Globalization;
using System.Net;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

namespace TinyRpc.RabbitMQ.TestServer;

/// <summary>
/// Usage: TinyRpc.RabbitMQ.TestServer backplane AMQP-PORT EXCHANGE. Serves duplex clients over TCP on 127.0.0.1 (any
/// free port; "ping" answers "pong") and joins the RabbitMQ backplane of EXCHANGE on the broker at 127.0.0.1:AMQP-PORT.
/// Prints "port N" once serving. Each line "broadcast ID" on standard input broadcasts the notification
/// <c>heard(ID)</c> and prints "sent ID" or "failed ID: reason"; when standard input closes it stops and prints "end".
/// </summary>
internal static class BackplaneServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: TinyRpc.RabbitMQ.TestServer backplane AMQP-PORT EXCHANGE");
            return 2;
        }

        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("ping", (request, _) => new(request.Respond("pong")), []);
        await using var transport = new TcpServerTransport(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new RpcServer(transport, new JsonRpcProtocol(), dispatcher);
        await using RabbitMQBackplane backplane = await RabbitMQBackplane.CreateAsync(
            server, "127.0.0.1", args[1], int.Parse(args[0], CultureInfo.InvariantCulture));
        backplane.PublishTimeout = TimeSpan.FromSeconds(5);
        using var stop = new CancellationTokenSource();
        Task serving = server.ServeForeverAsync(stop.Token);
        Console.WriteLine("port " + transport.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture));

        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("broadcast ", StringComparison.Ordinal))
            {
                Console.WriteLine("unknown command: " + line);
                continue;
            }

            string id = line["broadcast ".Length..];
            try
            {
                await backplane.BroadcastAsync("heard", [id]);
                Console.WriteLine("sent " + id);
            }
            catch (RpcTransportException e)
            {
                Console.WriteLine($"failed {id}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }

        await stop.CancelAsync();
        await serving;
        Console.WriteLine("end");
        return 0;
    }
}
