using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Tests.Protocols;

namespace TinyRpc.Tests.Exceptions;

/// <summary>The exception hierarchy of tinyrpc (section 1.10) and the error codes of JSON-RPC 2.0.</summary>
public class RpcExceptionTests
{
    [Theory]
    [InlineData(typeof(BadRequestException), typeof(RpcException))]
    [InlineData(typeof(InvalidRequestException), typeof(BadRequestException))]
    [InlineData(typeof(BadReplyException), typeof(RpcException))]
    [InlineData(typeof(InvalidReplyException), typeof(BadReplyException))]
    [InlineData(typeof(UnexpectedIdException), typeof(InvalidReplyException))]
    [InlineData(typeof(TinyRpc.Exceptions.RpcTransportException), typeof(RpcException))]
    [InlineData(typeof(MethodNotFoundException), typeof(RpcException))]
    [InlineData(typeof(InvalidParamsException), typeof(RpcException))]
    [InlineData(typeof(ServerException), typeof(RpcException))]
    [InlineData(typeof(JsonRpcParseException), typeof(InvalidRequestException))]
    [InlineData(typeof(JsonRpcInvalidRequestException), typeof(InvalidRequestException))]
    [InlineData(typeof(JsonRpcMethodNotFoundException), typeof(MethodNotFoundException))]
    [InlineData(typeof(JsonRpcInvalidParamsException), typeof(InvalidParamsException))]
    [InlineData(typeof(JsonRpcInternalException), typeof(ServerException))]
    [InlineData(typeof(JsonRpcServerException), typeof(ServerException))]
    [InlineData(typeof(JsonRpcException), typeof(RpcException))]
    [InlineData(typeof(RpcException), typeof(Exception))]
    public void Exception_derives_from_its_tinyrpc_base(Type exception, Type expectedBase)
    {
        Assert.True(exception.IsAssignableTo(expectedBase), $"{exception.Name} should derive from {expectedBase.Name}");
    }

    [Fact]
    public void Abstract_bases_are_abstract()
    {
        Assert.True(typeof(BadRequestException).IsAbstract);
        Assert.True(typeof(InvalidRequestException).IsAbstract);
    }

    [Fact]
    public void Error_codes_are_those_of_the_specification()
    {
        Assert.Equal(-32700, RpcErrorCodes.ParseError);
        Assert.Equal(-32600, RpcErrorCodes.InvalidRequest);
        Assert.Equal(-32601, RpcErrorCodes.MethodNotFound);
        Assert.Equal(-32602, RpcErrorCodes.InvalidParams);
        Assert.Equal(-32603, RpcErrorCodes.InternalError);
        Assert.Equal(-32000, RpcErrorCodes.ServerError);
        Assert.Equal(-32099, RpcErrorCodes.ServerErrorRangeStart);
        Assert.Equal(-32000, RpcErrorCodes.ServerErrorRangeEnd);
        Assert.Equal(-32768, RpcErrorCodes.ReservedRangeStart);
        Assert.Equal(-32000, RpcErrorCodes.ReservedRangeEnd);
    }

    [Theory]
    [InlineData(-32769, false, false)]
    [InlineData(-32768, true, false)]
    [InlineData(-32700, true, false)]
    [InlineData(-32100, true, false)]
    [InlineData(-32099, true, true)]
    [InlineData(-32050, true, true)]
    [InlineData(-32000, true, true)]
    [InlineData(-31999, false, false)]
    [InlineData(0, false, false)]
    [InlineData(99, false, false)]
    public void Reserved_and_server_error_ranges(int code, bool reserved, bool serverRange)
    {
        Assert.Equal(reserved, RpcErrorCodes.IsReserved(code));
        Assert.Equal(serverRange, RpcErrorCodes.IsServerErrorRange(code));
    }

    public static TheoryData<string, int, string> Predefined => new()
    {
        { nameof(JsonRpcParseException), -32700, "Parse error" },
        { nameof(JsonRpcInvalidRequestException), -32600, "Invalid Request" },
        { nameof(JsonRpcMethodNotFoundException), -32601, "Method not found" },
        { nameof(MethodNotFoundException), -32601, "Method not found" },
        { nameof(JsonRpcInvalidParamsException), -32602, "Invalid params" },
        { nameof(JsonRpcInternalException), -32603, "Internal error" },
        { nameof(JsonRpcServerException), -32000, "Server error" },
        { nameof(ServerException), -32000, "Server error" },
        { nameof(RpcException), -32000, "RPC error" },
    };

    private static RpcException Create(string name) => name switch
    {
        nameof(JsonRpcParseException) => new JsonRpcParseException(),
        nameof(JsonRpcInvalidRequestException) => new JsonRpcInvalidRequestException(),
        nameof(JsonRpcMethodNotFoundException) => new JsonRpcMethodNotFoundException("foo"),
        nameof(MethodNotFoundException) => new MethodNotFoundException("foo"),
        nameof(JsonRpcInvalidParamsException) => new JsonRpcInvalidParamsException(),
        nameof(JsonRpcInternalException) => new JsonRpcInternalException(),
        nameof(JsonRpcServerException) => new JsonRpcServerException(),
        nameof(ServerException) => new ServerException(),
        nameof(RpcException) => new RpcException(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Predefined))]
    public void Predefined_error_has_its_code_and_message(string name, int code, string message)
    {
        RpcException e = Create(name);

        Assert.Equal(code, e.Code);
        Assert.Equal(message, e.Message);
        Assert.False(e.HasData);
        Assert.Null(e.ErrorData);
    }

    [Fact]
    public void Rpc_exception_constructors_set_code_message_and_data()
    {
        var inner = new InvalidOperationException("inner");

        var messageOnly = new RpcException("m");
        var withInner = new RpcException("m", inner);
        var withData = new RpcException("m", (object)"d");
        var fixedCode = new RpcException(42, "m");
        var fixedWithData = new RpcException(42, "m", 5);
        var full = new RpcException(42, "m", "d", inner);

        Assert.Equal((-32000, "m", false), (messageOnly.Code, messageOnly.Message, messageOnly.HasData));
        Assert.Equal((-32000, "m", false), (withInner.Code, withInner.Message, withInner.HasData));
        Assert.Same(inner, withInner.InnerException);
        Assert.Equal((-32000, "m", true, (object?)"d"), (withData.Code, withData.Message, withData.HasData, withData.ErrorData));
        Assert.Equal((42, "m", false), (fixedCode.Code, fixedCode.Message, fixedCode.HasData));
        Assert.Equal((42, "m", true, (object?)5), (fixedWithData.Code, fixedWithData.Message, fixedWithData.HasData, fixedWithData.ErrorData));
        Assert.Equal((42, "m", (object?)"d"), (full.Code, full.Message, full.ErrorData));
        Assert.Same(inner, full.InnerException);
    }

    [Fact]
    public void Tinyrpc_exception_with_message_and_data_is_a_server_error()
    {
        // tinyrpc 1.5.6: raise Exception('error message', {'msg': 'structured data', 'lst': [1, 2, 3]})
        var data = new Dictionary<string, object> { ["msg"] = "structured data", ["lst"] = new List<int> { 1, 2, 3 } };

        var e = new RpcException("error message", data);

        Assert.Equal(-32000, e.Code);
        Assert.Equal("error message", e.Message);
        Assert.Same(data, e.ErrorData);
        Assert.Same(data, e.GetData<Dictionary<string, object>>());
    }

    [Fact]
    public void Fixed_error_message_exception_is_declared_in_one_line()
    {
        var withData = new PalindromeException("rotator");
        var withoutData = new PalindromeException();

        Assert.Equal(99, withData.Code);
        Assert.Equal("Ah, that's cheating", withData.Message);
        Assert.True(withData.HasData);
        Assert.Equal("rotator", withData.GetData<string>());
        Assert.Equal(99, withoutData.Code);
        Assert.False(withoutData.HasData);
        Assert.Null(withoutData.GetData<string>());
    }

    [Fact]
    public void Local_data_is_returned_when_it_has_the_requested_type()
    {
        var e = new RpcException(1, "m", new List<int> { 1 });

        Assert.Equal([1], e.GetData<List<int>>());
        Assert.Equal([1], e.GetData<IEnumerable<int>>());
        Assert.NotNull(e.GetData<object>());
        Assert.Throws<InvalidCastException>(() => e.GetData<string>());
        Assert.Throws<InvalidCastException>(() => e.GetData<int>());
        Assert.Equal(0, new RpcException(1, "m").GetData<int>());
    }

    private sealed class DefaultCodeException : RpcException
    {
        public DefaultCodeException()
            : base("x")
        {
        }

        protected override int DefaultCode => -32042;
    }

    [Fact]
    public void Derived_exception_can_change_the_default_code()
    {
        Assert.Equal(-32042, new DefaultCodeException().Code);
    }

    [Fact]
    public void Method_not_found_keeps_the_method_name()
    {
        Assert.Equal("foo.get", new MethodNotFoundException("foo.get").MethodName);
        Assert.Equal("bar", new JsonRpcMethodNotFoundException("bar").MethodName);
    }

    [Fact]
    public void Invalid_params_names_the_parameter()
    {
        var inner = new FormatException("bad");

        var named = new InvalidParamsException("minuend", "is missing", inner);
        var plain = new InvalidParamsException("wrong count");

        Assert.Equal(-32602, named.Code);
        Assert.Equal("minuend", named.ParameterName);
        Assert.Contains("'minuend'", named.Message, StringComparison.Ordinal);
        Assert.Contains("is missing", named.Message, StringComparison.Ordinal);
        Assert.Same(inner, named.InnerException);
        Assert.Null(plain.ParameterName);
        Assert.Equal("wrong count", plain.Message);
        Assert.Equal("custom", new JsonRpcInvalidParamsException("custom").Message);
    }

    [Fact]
    public void Server_exceptions_take_codes_and_data()
    {
        var ranged = new ServerException(-32001, "busy", 3);
        var withData = new ServerException("m", "d");
        var internalError = new JsonRpcInternalException("x", 1);
        var serverError = new JsonRpcServerException("y", "z");

        Assert.Equal((-32001, "busy", (object?)3), (ranged.Code, ranged.Message, ranged.ErrorData));
        Assert.Equal((-32000, "m", (object?)"d"), (withData.Code, withData.Message, withData.ErrorData));
        Assert.Equal((-32603, "x", (object?)1), (internalError.Code, internalError.Message, internalError.ErrorData));
        Assert.Equal((-32000, "y", (object?)"z"), (serverError.Code, serverError.Message, serverError.ErrorData));
    }

    [Fact]
    public void Failures_on_the_client_side_have_codes_outside_the_reserved_range()
    {
        RpcException[] local =
        [
            new BadReplyException("x"),
            new InvalidReplyException("x"),
            new UnexpectedIdException(1, 2),
            new TinyRpc.Exceptions.RpcTransportException("x"),
        ];

        Assert.All(local, static e => Assert.False(RpcErrorCodes.IsReserved(e.Code), $"{e.GetType().Name} has the reserved code {e.Code}"));
        Assert.Equal([RpcErrorCodes.BadReply, RpcErrorCodes.BadReply, RpcErrorCodes.BadReply, RpcErrorCodes.TransportError], local.Select(static e => e.Code));
    }

    [Fact]
    public void Reply_exceptions_keep_message_and_inner_exception()
    {
        var inner = new FormatException("bad");

        var bad = new BadReplyException("broken", inner);
        var invalid = new InvalidReplyException("invalid");

        Assert.Equal("broken", bad.Message);
        Assert.Same(inner, bad.InnerException);
        Assert.Equal("invalid", invalid.Message);
        Assert.Null(invalid.InnerException);
    }

    [Fact]
    public void Parse_error_created_alone_answers_with_a_null_id_and_its_detail()
    {
        var e = new JsonRpcParseException("unexpected end", new FormatException());

        RpcErrorResponse reply = new JsonRpcProtocol().ErrorRespond(e);

        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error", "data": "unexpected end"}}""", reply.Serialize());
        Assert.Equal(RpcId.Null, reply.Id);
        Assert.IsType<FormatException>(e.InnerException);
    }

    [Fact]
    public void Invalid_request_created_alone_answers_with_its_request_id()
    {
        var withId = new JsonRpcInvalidRequestException("bad member") { RequestId = "r7" };
        var withoutId = new JsonRpcInvalidRequestException();

        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": "r7", "error": {"code": -32600, "message": "Invalid Request", "data": "bad member"}}""", new JsonRpcProtocol().ErrorRespond(withId).Serialize());
        JsonAssert.Equal("""{"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "Invalid Request"}}""", new JsonRpcProtocol().ErrorRespond(withoutId).Serialize());
        Assert.True(withoutId.RequestId.IsNone);
    }

    [Fact]
    public void Rpc_exception_is_caught_as_an_exception_of_its_base()
    {
        static void Throw() => throw new PalindromeException("abba");

        RpcException caught = Assert.ThrowsAny<RpcException>(Throw);

        Assert.Equal(99, caught.Code);
    }
}
