using System.Text;
using System.Threading.Channels;
using TinyRpc.Exceptions;
using TinyRpc.Transports;

namespace TinyRpc.Tests.Transports;

/// <summary>
/// The base of the many-client server transports, through a subclass of its own whose peers are channels of messages:
/// what a subclass gets without writing it (routing by context, the peers list and their tokens, closing a peer once it
/// owes nothing). The TCP, pipe and WebSocket tests drill the same base over real connections.
/// </summary>
public sealed class MultiplexedServerTransportTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Replies_and_messages_of_the_server_go_to_the_peer_of_their_context()
    {
        var transport = new ChannelTransport();
        ChannelTransport.IClientEnd first = transport.Connect();
        ChannelTransport.IClientEnd second = transport.Connect();
        await first.FromClient.Writer.WriteAsync("to one"u8.ToArray());
        await second.FromClient.Writer.WriteAsync("to two"u8.ToArray());

        var contexts = new Dictionary<string, object?>();
        for (int i = 0; i < 2; i++)
        {
            RpcInboundMessage message = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
            contexts[Encoding.UTF8.GetString(message.Message.Span)] = message.Context;
        }

        Assert.Equal(2, transport.Peers.Count);
        await transport.SendReplyAsync(contexts["to two"], "reply two"u8.ToArray());
        await transport.SendReplyAsync(contexts["to one"], "reply one"u8.ToArray());
        await transport.SendToPeerAsync(contexts["to one"]!, "pushed"u8.ToArray());
        Assert.Equal("reply one", await first.NextSentAsync());
        Assert.Equal("pushed", await first.NextSentAsync());
        Assert.Equal("reply two", await second.NextSentAsync());
    }

    [Fact]
    public async Task A_peer_whose_input_ends_with_a_reply_owed_is_closed_once_it_is_answered()
    {
        var transport = new ChannelTransport();
        ChannelTransport.IClientEnd peer = transport.Connect();
        await peer.FromClient.Writer.WriteAsync("question"u8.ToArray());
        RpcInboundMessage message = (await transport.ReceiveMessageAsync().AsTask().WaitAsync(Limit))!.Value;
        CancellationToken closed = transport.GetPeerClosed(message.Context!);

        // The client sends no more but still waits for its answer.
        peer.FromClient.Writer.Complete();
        await peer.Served.WaitAsync(Limit);
        Assert.True(closed.IsCancellationRequested);
        Assert.Same(message.Context, Assert.Single(transport.Peers));
        Assert.False(peer.IsClosed);

        await transport.SendReplyAsync(message.Context, "answer"u8.ToArray());
        Assert.Equal("answer", await peer.NextSentAsync());
        Assert.True(peer.IsClosed);
        Assert.Empty(transport.Peers);
        await Assert.ThrowsAsync<RpcTransportException>(() => transport.SendToPeerAsync(message.Context!, "late"u8.ToArray()).AsTask());
    }

    [Fact]
    public async Task A_context_of_another_kind_is_refused()
    {
        var transport = new ChannelTransport();
        await Assert.ThrowsAsync<ArgumentException>(() => transport.SendReplyAsync(new object(), "x"u8.ToArray()).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => transport.SendToPeerAsync(new object(), "x"u8.ToArray()).AsTask());
        Assert.Throws<ArgumentException>(() => transport.GetPeerClosed(new object()));
    }

    // A subclass as a program would write one (its overrides say "protected internal" only because this test project
    // sees the runtime's internals): each peer reads the messages its client writes to a channel, and writes
    // what the server sends to another.
    private sealed class ChannelTransport() : MultiplexedServerTransport(inboxCapacity: 16, maxReplySize: 1024)
    {
        // What the test sees of a peer: its client's end, and whether the transport closed it.
        public interface IClientEnd
        {
            Channel<byte[]> FromClient { get; }

            Task Served { get; }

            bool IsClosed { get; }

            Task<string> NextSentAsync();
        }

        public IClientEnd Connect()
        {
            var peer = new ChannelPeer(this);
            peer.Served = Task.Run(() => ServeAsync(peer));
            return peer;
        }

        private sealed class ChannelPeer(ChannelTransport transport) : Peer(transport, Timeout.InfiniteTimeSpan), IClientEnd
        {
            private readonly Channel<byte[]> _toClient = Channel.CreateUnbounded<byte[]>();
            private readonly CancellationTokenSource _aborted = new();

            public Channel<byte[]> FromClient { get; } = Channel.CreateUnbounded<byte[]>();

            public Task Served { get; set; } = Task.CompletedTask;

            public bool IsClosed { get; private set; }

            public async Task<string> NextSentAsync()
                => Encoding.UTF8.GetString(await _toClient.Reader.ReadAsync().AsTask().WaitAsync(Limit));

            protected internal override CancellationToken ReadAborted => _aborted.Token;

            protected internal override async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
            {
                if (await FromClient.Reader.WaitToReadAsync(cancellationToken) && FromClient.Reader.TryRead(out byte[]? message))
                {
                    return message;
                }

                return null;
            }

            protected internal override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
                => _toClient.Writer.WriteAsync(message.ToArray(), cancellationToken);

            protected internal override ValueTask CloseAsync()
            {
                IsClosed = true;
                _aborted.Dispose();
                return ValueTask.CompletedTask;
            }

            protected override void OnIdle() => _aborted.Cancel();
        }
    }
}
