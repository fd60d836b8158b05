using NetMQ;
using NetMQ.Sockets;
using TinyRpc.Transports;

namespace TinyRpc.NetMQ.Tests;

/// <summary>
/// Which thread a received message resumes its reader on. RpcServer's and RpcClient's receive loops only hand each
/// message on, so the transports resume them on the poller thread (one thread hand-off fewer per message); any other
/// reader is resumed off the poller thread, so that it cannot block the socket.
/// </summary>
public sealed class ZmqHandOffTests
{
    private static readonly TimeSpan Limit = TestService.Limit;
    private static readonly byte[] Body = "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}"u8.ToArray();

    [Fact]
    public async Task Server_inline_receive_resumes_on_the_poller_and_plain_receive_does_not()
    {
        using ZmqServerTransport server = ZmqServerTransport.Create("tcp://127.0.0.1:*");
        using var client = new DealerSocket();
        client.Connect(server.Endpoint!);
        IInlineServerReceiver? inline = (object)server as IInlineServerReceiver;
        Assert.NotNull(inline);

        // Started before the message is sent, so that the receive waits and is resumed by the poller.
        Task<(RpcInboundMessage?, string?)> waiting = OnResumingThreadAsync(inline.ReceiveMessageInlineAsync());
        client.SendMoreFrameEmpty().SendFrame(Body);
        (RpcInboundMessage? first, string? firstThread) = await waiting.WaitAsync(Limit);
        Assert.Equal(Body, first!.Value.Message.ToArray());
        Assert.Equal("TinyRpc ZeroMQ server", firstThread);

        Task<(RpcInboundMessage?, string?)> plain = OnResumingThreadAsync(server.ReceiveMessageAsync());
        client.SendMoreFrameEmpty().SendFrame(Body);
        (RpcInboundMessage? second, string? secondThread) = await plain.WaitAsync(Limit);
        Assert.Equal(Body, second!.Value.Message.ToArray());
        Assert.NotEqual("TinyRpc ZeroMQ server", secondThread);
    }

    [Fact]
    public async Task Dealer_inline_receive_resumes_on_the_poller_and_plain_receive_does_not()
    {
        using var router = new RouterSocket();
        int port = router.BindRandomPort("tcp://127.0.0.1");
        using ZmqDealerClientTransport client = ZmqDealerClientTransport.Create($"tcp://127.0.0.1:{port}");
        IInlineMessageReceiver? inline = (object)client as IInlineMessageReceiver;
        Assert.NotNull(inline);

        // The router learns the dealer's identity from a first message.
        await client.SendAsync(Body);
        var frames = new List<byte[]>();
        Assert.True(router.TryReceiveMultipartBytes(Limit, ref frames));
        byte[] identity = frames[0];

        Task<(ReadOnlyMemory<byte>?, string?)> waiting = OnResumingThreadAsync(inline.ReceiveInlineAsync());
        router.SendMoreFrame(identity).SendMoreFrameEmpty().SendFrame(Body);
        (ReadOnlyMemory<byte>? first, string? firstThread) = await waiting.WaitAsync(Limit);
        Assert.Equal(Body, first!.Value.ToArray());
        Assert.Equal("TinyRpc ZeroMQ DEALER client", firstThread);

        Task<(ReadOnlyMemory<byte>?, string?)> plain = OnResumingThreadAsync(client.ReceiveAsync());
        router.SendMoreFrame(identity).SendMoreFrameEmpty().SendFrame(Body);
        (ReadOnlyMemory<byte>? second, string? secondThread) = await plain.WaitAsync(Limit);
        Assert.Equal(Body, second!.Value.ToArray());
        Assert.NotEqual("TinyRpc ZeroMQ DEALER client", secondThread);
    }

    // The name of the thread the awaiting method continues on. Called before the message is sent, so the receive is
    // waiting when the await registers and can only be resumed by whoever delivers the message.
    private static async Task<(T Value, string? Thread)> OnResumingThreadAsync<T>(ValueTask<T> receive)
    {
        T value = await receive.ConfigureAwait(false);
        return (value, Thread.CurrentThread.Name);
    }
}
