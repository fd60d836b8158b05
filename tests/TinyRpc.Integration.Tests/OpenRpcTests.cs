using System.Text.Json.Nodes;
using TinyRpc.Dispatch;

namespace TinyRpc.Integration.Tests;

/// <summary>The generated OpenRPC documents, as the compiler produces them, against the generated dispatch tables.</summary>
public class OpenRpcTests
{
    private static RpcDispatcher EveryService()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(new SomeWebsite("a"), "site.");
        dispatcher.RegisterInstance(new StringService());
        dispatcher.RegisterInstance(new CommentService(), "comments.");
        dispatcher.RegisterInstance(new Inventory(), "inventory.");
        dispatcher.RegisterInstance(new Counter(), "counter.");
        dispatcher.RegisterInstance(new Calculator(), "calc.");
        dispatcher.RegisterInstance((object)new EchoService(), "echo.");
        dispatcher.RegisterInstance(new MathService(), "math.");
        return dispatcher;
    }

    [Fact]
    public void Every_served_method_is_described_under_its_name_with_the_parameter_names_the_table_reads()
    {
        RpcDispatcher dispatcher = EveryService();
        JsonNode document = JsonNode.Parse(dispatcher.GetOpenRpcDocument())!;
        JsonArray described = document["methods"]!.AsArray();
        IReadOnlyList<RpcMethod> served = dispatcher.GetAllMethods();
        Assert.Equal(served.Select(m => m.Name), described.Select(m => (string?)m!["name"]));
        for (int i = 0; i < served.Count; i++)
        {
            JsonArray parameters = described[i]!["params"]!.AsArray();
            Assert.Equal(served[i].Parameters.Select(p => p.Name), parameters.Select(p => (string?)p!["name"]));
            Assert.Equal(served[i].Parameters.Select(p => !p.IsOptional && !p.IsParamArray), parameters.Select(p => (bool)p!["required"]!));

            // Generated descriptions have schemas: none is the permissive one of a method added by hand.
            Assert.All(parameters, p => Assert.NotEqual("{}", p!["schema"]!.ToJsonString()));
        }
    }

    [Fact]
    public void Naming_policies_rpc_names_and_inherited_names_reach_the_document()
    {
        JsonNode document = JsonNode.Parse(EveryService().GetOpenRpcDocument())!;
        Dictionary<string, JsonNode> methods = document["methods"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => m!);

        Assert.Equal(["first_index", "last", "extra_labels"], methods["comments.format_range"]["params"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.True((bool)methods["comments.format_range"]["params"]![2]!["x-params-array"]!);
        Assert.Equal(["comment_id", "user_name"], methods["comments.get_user_comment"]["params"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.Equal("anon", (string?)methods["comments.get_user_comment"]["params"]![1]!["schema"]!["default"]);
        Assert.Equal(["warehouse_id", "sku"], methods["inventory.count_items"]["params"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.Equal(["n"], methods["counter.Add"]["params"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.Contains("reverse_string", methods.Keys);

        // [OneWay] on the interface: a notification, without a result; the explicit implementation keeps its nullability.
        Assert.True((bool)methods["echo.record"]["x-notification"]!);
        Assert.Null(methods["echo.record"]["result"]);
        Assert.Equal("""["string","null"]""", methods["echo.describe"]["result"]!["schema"]!["type"]!.ToJsonString());

        // A record result is a named schema under its JSON property names.
        Assert.Equal("#/components/schemas/UserInfo", (string?)methods["site.get_user_info"]["result"]!["schema"]!["$ref"]);
        JsonNode userInfo = document["components"]!["schemas"]!["UserInfo"]!;
        Assert.Equal(["Name", "Site"], userInfo["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void The_table_carries_the_generated_document()
    {
        string? document = StringService.RpcTable.OpenRpcDocument;
        Assert.NotNull(document);
        JsonNode root = JsonNode.Parse(document)!;
        Assert.Equal("1.3.2", (string?)root["openrpc"]);
        Assert.Equal("TinyRpc.Integration.Tests.StringService", (string?)root["info"]!["title"]);
        JsonNode method = Assert.Single(root["methods"]!.AsArray())!;
        Assert.Equal("reverse_string", (string?)method["name"]);
    }
}
