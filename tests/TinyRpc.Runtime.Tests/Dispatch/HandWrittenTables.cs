using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Generated;
using TinyRpc.Protocols;

namespace TinyRpc.Tests.Dispatch;

// Hand-written dispatch tables: what the source generator emits for [RpcService] classes, written out here
// so that the dispatcher contract is tested on its own.
public sealed class SomeWebsite(string site) : IRpcService<SomeWebsite>
{
    public string GetUserInfo(string user) => $"{site}:{user}";

    public string GetComment(int commentId) => $"{site}:comment{commentId}";

    public string Secret() => "not exposed";

    public static RpcServiceTable<SomeWebsite> RpcTable { get; } = new(
    [
        new RpcMethodDescriptor<SomeWebsite>("get_user_info", [new RpcParameter("user", typeof(string))], false,
            static (self, request, _) =>
            {
                string user = Arg<string>(request, 0, "user");
                return new(request.Respond(self.GetUserInfo(user)));
            }),
        new RpcMethodDescriptor<SomeWebsite>("get_user_comment", [new RpcParameter("comment_id", typeof(int))], false,
            static (self, request, _) => new(request.Respond(self.GetComment(Arg<int>(request, 0, "comment_id"))))),
    ]);

    internal static T Arg<T>(RpcRequest request, int index, string name)
        => request.Arguments.TryGet(index, name, request.Arguments.IsNamed, out T value)
            ? value
            : throw new InvalidParamsException(name, "is missing");
}

public sealed class Calculator : IRpcService<Calculator>
{
    public static int Subtract(int minuend, int subtrahend) => minuend - subtrahend;

    public static async Task<int> SlowAdd(int a, int b, CancellationToken cancellationToken)
    {
        await Task.Delay(50, cancellationToken);
        return a + b;
    }

    public static RpcServiceTable<Calculator> RpcTable { get; } = new(
    [
        new RpcMethodDescriptor<Calculator>("subtract",
            [new RpcParameter("minuend", typeof(int)), new RpcParameter("subtrahend", typeof(int), IsOptional: true)], true,
            static (_, request, _) =>
            {
                int a = SomeWebsite.Arg<int>(request, 0, "minuend");
                int b = request.Arguments.TryGet(1, "subtrahend", request.Arguments.IsNamed, out int s) ? s : 0;
                return new(request.Respond(Subtract(a, b)));
            }),
        new RpcMethodDescriptor<Calculator>("slow_add",
            [new RpcParameter("a", typeof(int)), new RpcParameter("b", typeof(int))], true,
            static async (_, request, ct) => request.Respond(await SlowAdd(SomeWebsite.Arg<int>(request, 0, "a"), SomeWebsite.Arg<int>(request, 1, "b"), ct))),
    ]);
}
