using TinyRpc;

namespace DispatcherOnly;

/// <summary>tinyrpc's dispatcher example: two public methods and one that is not exposed.</summary>
[RpcService]
public sealed partial class SomeWebsite(string site)
{
    [Public("get_user_info")]
    public string GetUserInfo(string user) => $"{user}@{site}";

    [Public("get_user_comment")]
    public string GetComment(int commentId) => $"comment {commentId} on {site}";

    // Not [Public]: never callable remotely.
    public static string Secret() => "swordfish";
}
