using System.Diagnostics;
using System.Text.Json;
using AotSample;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

// Server and client in one process over TCP on 127.0.0.1, each protocol in turn. Over JSON-RPC user types
// travel through a JsonSerializerContext. Over MSGPACK-RPC, Point goes through a hand-written formatter of the
// app's resolver (which wins over generated ones), and the inventory's record, list of records, dictionary
// and object[] through formatters TinyRpc's generator wrote: nothing on the request path needs reflection or
// dynamic code.
int failures = 0;
TimeSpan? firstReply = null;

foreach ((string name, Func<RpcProtocol> create) in Protocols())
{
    await using TcpServerTransport transport = TcpServerTransport.Loopback(0);
    var dispatcher = new RpcDispatcher();
    dispatcher.RegisterInstance(new Geometry(), "geo.");
    dispatcher.RegisterInstance(new Inventory(), "stock.");
    var feed = new Feed();
    dispatcher.RegisterInstance(feed, "feed.");
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    Task serving = new RpcServer(transport, create(), dispatcher).ServeForeverAsync(stop.Token);

    await using var client = new RpcClient(create(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port));
    IGeometry geometry = client.GetProxy<IGeometry>("geo.");

    Check(name, "add", await geometry.AddAsync(2, 3), 5);
    firstReply ??= DateTime.Now - Process.GetCurrentProcess().StartTime;
    Check(name, "reverse_string", await geometry.ReverseStringAsync("Hello, AOT"), "TOA ,olleH");
    Check(name, "midpoint", await geometry.MidpointAsync(new Point(0, 0), new Point(4, 2)), new Point(2, 1));
    Check(name, "farthest", await geometry.FarthestAsync([new Point(1, 1), new Point(-5, 0), new Point(2, 2)]), new Point(-5, 0));
    try
    {
        await geometry.DivideAsync(1, 0);
        Check(name, "divide by zero", "no error", "error 99");
    }
    catch (RpcException e)
    {
        Check(name, "divide by zero", $"error {e.Code}: {e.Message}", "error 99: Division by zero");
    }

    IInventory inventory = client.GetProxy<IInventory>("stock.");
    Item bolt = await inventory.FindAsync("bolt");
    Check(name, "find", $"{bolt.Name} {bolt.Count} [{string.Join(",", bolt.Tags)}]", "bolt 40 [steel]");
    Check(name, "list", string.Join(" ", (await inventory.ListAsync()).Select(i => $"{i.Name}:{i.Count}")), "bolt:40 nut:12");
    Check(name, "counts", string.Join(" ", (await inventory.CountsAsync(["nut", "screw"])).Select(p => $"{p.Key}={p.Value}")), "nut=12");
    Check(name, "summary", string.Join(" ", (await inventory.SummaryAsync()).Select(v => v.ToString())), "items 2 True");

    // A stream, progress reports and a cancelled call go over a connection that carries calls both ways.
    await using (var connection = new RpcConnection(create(), await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port)))
    {
        IFeed feeds = connection.GetProxy<IFeed>("feed.");
        var delivered = new List<string>();
        await foreach (Item item in feeds.RestockAsync(3))
        {
            delivered.Add($"{item.Name}:{item.Count}");
        }

        Check(name, "restock stream", string.Join(" ", delivered), "bolt:1 bolt:2 bolt:3");
        var reports = new ReportList();
        int audited = await feeds.AuditAsync(4, reports);
        Check(name, "audit progress", $"{audited} after reports {string.Join(",", reports.Values)}", "4 after reports 1,2,3,4");
        using var cancel = new CancellationTokenSource();
        Task<string> waiting = feeds.WaitAsync(cancel.Token);
        await feed.Waiting;
        await cancel.CancelAsync();
        string outcome;
        try
        {
            outcome = await waiting;
        }
        catch (OperationCanceledException)
        {
            await feed.Cancelled.WaitAsync(TimeSpan.FromSeconds(30));
            outcome = "cancelled on both ends";
        }

        Check(name, "cancelled call", outcome, "cancelled on both ends");
    }

    await stop.CancelAsync();
    await serving;
}

// The same under the generic host: TinyRpc.Hosting, the container, logging and OpenTelemetry (Hosted.cs).
await Hosted.RunAsync((protocol, call, actual, expected) => Check(protocol, call, actual, expected));

Console.WriteLine($"first reply {firstReply?.TotalMilliseconds:F0} ms after process start");
Console.WriteLine(failures == 0 ? "AOT sample: every call returned the right answer" : $"AOT sample: {failures} wrong answers");
return failures == 0 ? 0 : 1;

static IEnumerable<(string, Func<RpcProtocol>)> Protocols()
{
    JsonSerializerOptions options = new() { TypeInfoResolver = SampleJsonContext.Default };
    yield return ("JSON-RPC", () => new JsonRpcProtocol(new JsonRpcProtocolOptions { SerializerOptions = options }));
    yield return ("MSGPACK-RPC", () => new MessagePackRpcProtocol(SampleResolver.Options));
}

void Check<T>(string protocol, string call, T actual, T expected)
{
    bool ok = EqualityComparer<T>.Default.Equals(actual, expected);
    failures += ok ? 0 : 1;
    Console.WriteLine($"{protocol,-12} {call,-16} {(ok ? "ok" : "WRONG")}  {actual}");
}
