using RabbitMqQuickstart;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

// tinyrpc's RabbitMQ transports: the server consumes a queue and answers on each request's reply-to queue; start
// several servers on one queue and they share the calls. Needs a broker (default 127.0.0.1:5672).
//   RabbitMqQuickstart server [host] [queue]     serve until Ctrl+C
//   RabbitMqQuickstart client [host] [queue]     call the servers
//   RabbitMqQuickstart both [host] [queue]       one of each, in this process (the default)
string role = args.Length > 0 ? args[0] : "both";
string host = args.Length > 1 ? args[1] : "127.0.0.1";
string queue = args.Length > 2 ? args[2] : "tinyrpc_quickstart";

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
            await using RabbitMQServerTransport transport = await RabbitMQServerTransport.CreateAsync(host, queue);
            Console.WriteLine($"Serving queue {queue} on {host}");
            await ServeAsync(transport, stop.Token);
        }

        return 0;
    case "client":
        Console.WriteLine("Server answered: " + await CallAsync());
        return 0;
    case "both":
        using (var stop = new CancellationTokenSource())
        {
            await using RabbitMQServerTransport transport = await RabbitMQServerTransport.CreateAsync(host, queue);
            Task serving = ServeAsync(transport, stop.Token);
            string answer = await CallAsync();
            Console.WriteLine("Server answered: " + answer);
            await stop.CancelAsync();
            await serving;
            return answer == "!dlroW ,olleH" ? 0 : 1;
        }

    default:
        Console.Error.WriteLine("usage: RabbitMqQuickstart [server|client|both] [host] [queue]");
        return 2;
}

static Task ServeAsync(RabbitMQServerTransport transport, CancellationToken cancellationToken)
{
    var dispatcher = new RpcDispatcher();
    dispatcher.RegisterInstance(new StringService());
    return new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(cancellationToken);
}

async Task<string> CallAsync()
{
    RabbitMQClientTransport transport = await RabbitMQClientTransport.CreateAsync(host, queue); // the client disposes it
    await using var client = new RpcClient(new JsonRpcProtocol(), transport);
    return await client.GetProxy<IStringService>().ReverseStringAsync("Hello, World!");
}
