using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Dispatch;

/// <summary>What a client sees only as an error reply is logged on the server, with the method's name.</summary>
public class DispatcherLoggingTests
{
    private static readonly JsonRpcProtocol Protocol = new();

    private static (RpcDispatcher Dispatcher, FakeLogger Logger) Create()
    {
        var logger = new FakeLogger();
        var dispatcher = new RpcDispatcher { Logger = logger };
        dispatcher.AddMethod("not_a_number", static (request, _) => new(request.Respond(double.NaN)));
        dispatcher.AddMethod("broken", static (_, _) => throw new InvalidOperationException("the method broke"));
        dispatcher.AddMethod("refused", static (_, _) => throw new ServerException("no"));
        var inner = new RpcDispatcher();
        inner.AddMethod("nan", static (request, _) => new(request.Respond(double.PositiveInfinity)));
        dispatcher.AddSubdispatcher(inner, "sub.");
        return (dispatcher, logger);
    }

    private static async Task<RpcErrorResponse> DispatchAsync(RpcDispatcher dispatcher, string method)
    {
        RpcRequest request = (RpcRequest)Protocol.ParseRequest(System.Text.Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","method":"{{method}}","id":1}"""));
        return Assert.IsAssignableFrom<RpcErrorResponse>(await dispatcher.DispatchAsync(request));
    }

    [Theory]
    [InlineData("not_a_number")]
    [InlineData("sub.nan")]
    public async Task A_result_that_cannot_be_written_is_logged_as_an_error_with_the_method_and_exception(string method)
    {
        (RpcDispatcher dispatcher, FakeLogger logger) = Create();
        RpcErrorResponse reply = await DispatchAsync(dispatcher, method);
        Assert.Equal(RpcErrorCodes.InternalError, reply.Code);

        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Error, record.Level);
        Assert.Contains(method, record.Message);
        Assert.IsType<NotSupportedException>(record.Exception);
        Assert.Contains("NaN and Infinity", record.Exception!.Message);

        // Every occurrence is logged.
        await DispatchAsync(dispatcher, method);
        Assert.Equal(2, logger.Collector.Count);
    }

    [Fact]
    public async Task An_unexpected_exception_is_logged_as_a_warning_and_an_rpc_exception_is_not()
    {
        (RpcDispatcher dispatcher, FakeLogger logger) = Create();
        Assert.Equal(RpcErrorCodes.ServerError, (await DispatchAsync(dispatcher, "broken")).Code);
        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Contains("broken", record.Message);
        Assert.Equal("the method broke", record.Exception?.Message);

        logger.Collector.Clear();
        Assert.Equal(RpcErrorCodes.ServerError, (await DispatchAsync(dispatcher, "refused")).Code);
        Assert.Equal(RpcErrorCodes.MethodNotFound, (await DispatchAsync(dispatcher, "missing")).Code);
        Assert.Empty(logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task Without_a_logger_nothing_is_logged_and_replies_are_the_same()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("not_a_number", static (request, _) => new(request.Respond(double.NaN)));
        Assert.Equal(RpcErrorCodes.InternalError, (await DispatchAsync(dispatcher, "not_a_number")).Code);
    }
}
