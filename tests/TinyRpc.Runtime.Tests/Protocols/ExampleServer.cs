using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Tests.Protocols;

/// <summary>
/// The server of tinyrpc's protocol example (section 1.5.1) around the methods of the JSON-RPC 2.0
/// specification's examples. Only <see cref="BadRequestException"/> is caught around parsing: any
/// other exception escaping the protocol fails the test that caused it.
/// </summary>
internal static class ExampleServer
{
    /// <summary>handle_incoming_message: the bytes to send back, or null when nothing is sent.</summary>
    public static ReadOnlyMemory<byte>? HandleIncomingMessage(RpcProtocol rpc, ReadOnlyMemory<byte> data)
    {
        RpcMessage request;
        try
        {
            request = rpc.ParseRequest(data);
        }
        catch (BadRequestException e)
        {
            // request was invalid, directly create response
            return rpc.ErrorRespond(e).Serialize();
        }

        RpcMessage? response;

        if (request is RpcBatchRequest batch)
        {
            response = batch.CreateBatchResponse(batch.Select(item => item.Request is { } member
                ? HandleRequest(member)
                : batch.ErrorRespond(item.Error!)));
        }
        else
        {
            response = HandleRequest((RpcRequest)request);
        }

        // now send the response to the client
        return response?.Serialize();
    }

    public static ReadOnlyMemory<byte>? HandleIncomingMessage(RpcProtocol rpc, string data)
        => HandleIncomingMessage(rpc, JsonAssert.Utf8(data));

    /// <summary>handle_request: calls the method and returns its response (null for a notification).</summary>
    public static RpcResponse? HandleRequest(RpcRequest request)
    {
        try
        {
            switch (request.Method)
            {
                case "subtract":
                    return request.Respond(Get<int>(request, 0, "minuend") - Get<int>(request, 1, "subtrahend"));

                case "sum":
                case "notify_sum":
                {
                    int sum = 0;
                    for (int i = 0; i < request.Arguments.Count; i++)
                    {
                        sum += Get<int>(request, i, "values");
                    }

                    return request.Respond(sum);
                }

                case "get_data":
                    return request.Respond(new object[] { "hello", 5 });

                case "update":
                case "notify_hello":
                    return request.Respond();

                case "reverse_string":
                {
                    string s = Get<string>(request, 0, "s");
                    char[] chars = s.ToCharArray();
                    Array.Reverse(chars);
                    string r = new(chars);
                    return r == s ? throw new PalindromeException(s) : request.Respond(r);
                }

                default:
                    return request.ErrorRespond(new MethodNotFoundException(request.Method));
            }
        }
        catch (Exception e)
        {
            // for example, a method wasn't found
            return request.ErrorRespond(e);
        }
    }

    private static T Get<T>(RpcRequest request, int index, string name)
    {
        RpcArguments args = request.Arguments;
        return args.TryGet(index, name, args.IsNamed, out T value)
            ? value
            : throw new InvalidParamsException(name, "is missing");
    }
}

/// <summary>tinyrpc's PalindromeError (sections 1.5.4 and 1.5.5), declared in one line.</summary>
internal sealed class PalindromeException(string? data = null) : RpcException(99, "Ah, that's cheating", data);
