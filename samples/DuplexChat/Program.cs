using DuplexChat;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

// Calls in both directions on one connection: the server calls its caller back and pushes to every client,
// each client serving a callback interface with its own dispatcher. Server and two clients in one process over TCP.
var protocol = new JsonRpcProtocol();
var roomDispatcher = new RpcDispatcher();
roomDispatcher.RegisterInstance(new ChatRoom());
await using TcpServerTransport transport = TcpServerTransport.Loopback();
var server = new RpcServer(transport, protocol, roomDispatcher);
using var stop = new CancellationTokenSource();
Task serving = server.ServeForeverAsync(stop.Token);

ChatMember[] members = [new("ann", "tea"), new("bob", "chess")];
var connections = new List<RpcConnection>();
foreach (ChatMember member in members)
{
    var dispatcher = new RpcDispatcher();
    dispatcher.RegisterInstance(member);

    // One message at a time, so that the lines a member hears are handled in the order the room sent them.
    var connection = new RpcConnection(protocol, await StreamClientTransport.ConnectTcpAsync("127.0.0.1", transport.LocalEndPoint.Port),
        dispatcher, new RpcConnectionOptions { MaxConcurrency = 1 });
    connections.Add(connection);
    int count = await connection.GetProxy<IChatRoom>().JoinAsync(member.Name);
    Console.WriteLine($"{member.Name} joined, {count} in the room");
}

await connections[0].GetProxy<IChatRoom>().SayAsync("hi bob");
await connections[1].GetProxy<IChatRoom>().SayAsync("hello ann");

// The server pushes on its own too, outside any request: to every client connected now.
foreach (RpcConnection client in server.Connections)
{
    await client.GetProxy<IChatMember>().HeardAsync("server", "closing");
}

string[][] expected =
[
    ["room: ann joined (ann likes tea)", "room: bob joined (bob likes chess)", "ann: hi bob", "bob: hello ann", "server: closing"],
    ["room: bob joined (bob likes chess)", "ann: hi bob", "bob: hello ann", "server: closing"],
];
bool ok = true;
for (int i = 0; i < members.Length; i++)
{
    foreach (string line in expected[i])
    {
        string heard = await members[i].NextHeardAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine($"{members[i].Name} heard {heard}");
        ok &= heard == line;
    }
}

foreach (RpcConnection connection in connections)
{
    await connection.DisposeAsync();
}

await stop.CancelAsync();
await serving;
return ok ? 0 : 1;
