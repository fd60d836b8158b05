using Microsoft.AspNetCore.Builder;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Server;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>
/// A client that gives up on its HTTP request (cancels the HttpClient call, which aborts the connection) cancels the
/// token of the method still running for it: with <c>MapTinyRpc</c> and with <see cref="HttpServerTransport"/>.
/// </summary>
public sealed class HttpAbortTests
{
    private const string Wait = """{"jsonrpc":"2.0","method":"wait_for_cancellation","id":1}""";

    [Fact]
    public async Task Dispatcher_endpoint_cancels_the_method_when_the_client_aborts()
    {
        var service = new TestService();
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpc("/rpc", TestService.CreateDispatcher(service), new JsonRpcProtocol()));

        await AbortWhileRunningAsync(host, service);

        await service.WaitCancelled.Task.WaitAsync(KestrelHost.Limit);
    }

    [Fact]
    public async Task Server_transport_cancels_the_method_when_the_client_aborts()
    {
        var service = new TestService();
        var transport = new HttpServerTransport();
        await using KestrelHost host = await KestrelHost.StartAsync(app => app.MapTinyRpc("/rpc", transport));
        var server = new RpcServer(transport, new JsonRpcProtocol(), TestService.CreateDispatcher(service));
        using var stop = new CancellationTokenSource(KestrelHost.Limit * 2);
        Task serving = server.ServeForeverAsync(stop.Token);
        try
        {
            await AbortWhileRunningAsync(host, service);

            await service.WaitCancelled.Task.WaitAsync(KestrelHost.Limit);
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(KestrelHost.Limit);
        }
    }

    // Sends the call, waits until the method runs, then cancels the HttpClient call (the handler aborts the connection).
    private static async Task AbortWhileRunningAsync(KestrelHost host, TestService service)
    {
        using HttpClient http = TestHttp.NewClient();
        using var giveUp = new CancellationTokenSource();
        Task<HttpResponseMessage> call = http.PostAsync(host.Http("/rpc"), TestHttp.Json(Wait), giveUp.Token);
        await service.WaitStarted.Task.WaitAsync(KestrelHost.Limit);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(KestrelHost.Limit));
    }
}
