using System.IO.Pipes;
using TinyRpc.Client;
using TinyRpc.Dispatch;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Tests.Streaming;
using TinyRpc.Transports;

namespace TinyRpc.Integration.Tests;

/// <summary>
/// Streams and progress between two connections over a pair of operating-system pipes, as a process and its child
/// talk over standard input and output: each end an <see cref="RpcConnection"/> over a
/// <see cref="StreamClientTransport"/> made of one pipe to read and one to write (what <c>ForStandardIo</c>-style
/// channels are), the producer's end serving <see cref="StreamingService"/>.
/// </summary>
public sealed class StdioStreamingTests : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly AnonymousPipeServerStream _toProducer = new(PipeDirection.Out);
    private readonly AnonymousPipeServerStream _toConsumer = new(PipeDirection.Out);
    private readonly StreamingService _service = new();
    private readonly RpcConnection _producer;
    private readonly RpcConnection _consumer;

    public StdioStreamingTests()
    {
        var protocol = new JsonRpcProtocol();
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(_service);

        // The producer reads what the consumer writes (its "stdin") and writes to the consumer (its "stdout").
        var producerIn = new AnonymousPipeClientStream(PipeDirection.In, _toProducer.ClientSafePipeHandle);
        var consumerIn = new AnonymousPipeClientStream(PipeDirection.In, _toConsumer.ClientSafePipeHandle);
        _producer = new RpcConnection(protocol, new StreamClientTransport(new FramedConnection(producerIn, _toConsumer)), dispatcher);
        _consumer = new RpcConnection(protocol, new StreamClientTransport(new FramedConnection(consumerIn, _toProducer)));
    }

    [Fact]
    public async Task A_stream_over_standard_io_pipes_arrives_in_order_and_stops_when_left()
    {
        var values = new List<int>();
        await foreach (int value in _consumer.GetProxy<IStreamingService>().CountAsync(25).WithCancellation(TestContext.Current.CancellationToken))
        {
            values.Add(value);
        }

        Assert.Equal(Enumerable.Range(0, 25), values);

        await foreach (int value in _consumer.GetProxy<IStreamingService>().EndlessAsync().WithCancellation(TestContext.Current.CancellationToken))
        {
            if (value == 3)
            {
                break; // $/enumerator/abort: the producer is disposed
            }
        }

        await _service.Cancelled.WaitAsync(Limit);
        await _service.Disposed.WaitAsync(Limit);
    }

    [Fact]
    public async Task Progress_over_standard_io_pipes_arrives_in_order_before_the_call_completes()
    {
        var progress = new RecordingProgress<int>();

        int result = await _consumer.GetProxy<IStreamingService>().WorkAsync(300, progress).WaitAsync(Limit);

        Assert.Equal(300, result);
        Assert.Equal(Enumerable.Range(1, 300), progress.Reports);
    }

    public async ValueTask DisposeAsync()
    {
        await _consumer.DisposeAsync();
        await _producer.DisposeAsync();
        await _toProducer.DisposeAsync();
        await _toConsumer.DisposeAsync();
    }
}
