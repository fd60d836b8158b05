using CgiServer;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;
using TinyRpc.Transports;

// tinyrpc's CGI transport: a web server runs this program once per request, with the request in the CGI
// environment and on standard input; the reply goes to standard output. For lighttpd with mod_cgi:
//
//   server.modules += ( "mod_cgi" )
//   cgi.assign = ( "/rpc" => "" )          # /rpc is a script that runs: exec dotnet /path/to/CgiServer.dll
//
// Then any JSON-RPC client can POST to http://host/rpc. samples/DemoServer --transport cgi serves more methods.
var dispatcher = new RpcDispatcher();
dispatcher.RegisterInstance(new StringService());
var transport = new CgiServerTransport();
await new RpcServer(transport, new JsonRpcProtocol(), dispatcher).ReceiveOneMessageAsync();
return 0;
