using System.Collections.Concurrent;
using System.Globalization;
using TinyRpc;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

// Usage: TinyRpc.RabbitMQ.TestServer backplane ... runs BackplaneServer instead.
// Usage: TinyRpc.RabbitMQ.TestServer QUEUE [PREFETCH [RAN-LOG]]. Serves "echo" on QUEUE of the broker on 127.0.0.1,
// prints "ready" once consuming, and when standard input closes stops, then prints "handled" and every value it
// answered, one per line, and "end". With RAN-LOG, each value is also appended to that file, flushed, as the call
// starts, so what a killed server ran stays readable.
if (args is ["backplane", .. string[] rest])
{
    return await TinyRpc.RabbitMQ.TestServer.BackplaneServer.RunAsync(rest);
}

if (args.Length is < 1 or > 3)
{
    Console.Error.WriteLine("usage: TinyRpc.RabbitMQ.TestServer QUEUE [PREFETCH [RAN-LOG]]");
    return 2;
}

ushort prefetch = args.Length > 1 ? ushort.Parse(args[1], CultureInfo.InvariantCulture) : (ushort)8;
var handled = new ConcurrentQueue<int>();
using StreamWriter? ranLog = args.Length > 2 ? new StreamWriter(args[2], append: true) { AutoFlush = true } : null;
var dispatcher = new RpcDispatcher();
dispatcher.AddMethod("echo", (request, _) =>
{
    int value = request.Arguments.TryGet(0, "value", request.Arguments.IsNamed, out int v) ? v : throw new InvalidParamsException("value", "is missing");
    if (ranLog is not null)
    {
        lock (ranLog)
        {
            ranLog.WriteLine(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    handled.Enqueue(value);
    return new(request.Respond(value));
}, [new RpcParameter("value", typeof(int))]);

await using RabbitMQServerTransport transport = await RabbitMQServerTransport.CreateAsync("127.0.0.1", args[0], prefetch: prefetch);
using var stop = new CancellationTokenSource();
Task serving = new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ServeForeverAsync(stop.Token);
Console.WriteLine("ready");

// Standard input closes when the test is done with this server (or has died).
await Console.In.ReadToEndAsync();
await stop.CancelAsync();
await serving;
Console.WriteLine("handled");
foreach (int value in handled)
{
    Console.WriteLine(value.ToString(CultureInfo.InvariantCulture));
}

Console.WriteLine("end");
return 0;
