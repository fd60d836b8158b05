using TinyRpc.Shared;

namespace TinyRpc.Generators.Tests;

public class RpcNamesTests
{
    // Policies as TinyRpc.RpcNamingPolicy numbers them: 0 AsWritten, 1 CamelCase, 2 SnakeCase.
    [Theory]
    [InlineData("ReverseStringAsync", null, 2, true, "reverse_string")]
    [InlineData("ReverseStringAsync", null, 2, false, "reverse_string_async")]
    [InlineData("ReverseStringAsync", null, 0, true, "ReverseString")]
    [InlineData("ReverseStringAsync", null, 0, false, "ReverseStringAsync")]
    [InlineData("ReverseStringAsync", null, 1, true, "reverseString")]
    [InlineData("ReverseStringAsync", "Given.Name", 2, true, "Given.Name")]
    [InlineData("Async", null, 0, true, "Async")]
    public void Rpc_name(string method, string? explicitName, int policy, bool trim, string expected)
        => Assert.Equal(expected, RpcNames.GetRpcName(method, explicitName, (RpcNamingPolicyValue)policy, trim));

    [Theory]
    [InlineData("ReverseString", "reverse_string")]
    [InlineData("GetHTTPResponse", "get_http_response")]
    [InlineData("UserId2", "user_id2")]
    [InlineData("IOStream", "io_stream")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("Get_User", "get_user")]
    [InlineData("x", "x")]
    public void Snake_case(string name, string expected) => Assert.Equal(expected, RpcNames.ToSnakeCase(name));

    [Theory]
    [InlineData("ReverseString", "reverseString")]
    [InlineData("HTTPGet", "httpGet")]
    [InlineData("ID", "id")]
    [InlineData("already", "already")]
    [InlineData("X", "x")]
    public void Camel_case(string name, string expected) => Assert.Equal(expected, RpcNames.ToCamelCase(name));
}
