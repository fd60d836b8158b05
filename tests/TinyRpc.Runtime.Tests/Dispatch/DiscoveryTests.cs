using System.Text;
using System.Text.Json.Nodes;
using TinyRpc.Dispatch;
using TinyRpc.Generated;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;

namespace TinyRpc.Tests.Dispatch;

/// <summary>A hand-written table with the document the generator would give it: what the dispatcher merges.</summary>
public sealed class DocumentedPoints : IRpcService<DocumentedPoints>
{
    public const string Document = """
        {
          "openrpc": "1.3.2",
          "info": { "title": "DocumentedPoints", "version": "1.0.0.0" },
          "methods": [
            {
              "name": "origin",
              "description": "The origin.",
              "paramStructure": "either",
              "params": [],
              "result": { "name": "result", "schema": { "$ref": "#/components/schemas/Point" } }
            },
            {
              "name": "shift",
              "paramStructure": "either",
              "params": [
                { "name": "p", "schema": { "$ref": "#/components/schemas/Point" }, "required": true },
                { "name": "by", "schema": { "type": "integer" }, "required": false }
              ],
              "result": { "name": "result", "schema": { "$ref": "#/components/schemas/Point" } }
            }
          ],
          "components": {
            "schemas": {
              "Point": { "type": "object", "properties": { "X": { "type": "integer" }, "Y": { "type": "integer" } } }
            }
          }
        }
        """;

    public static RpcServiceTable<DocumentedPoints> RpcTable { get; } = new(
    [
        new RpcMethodDescriptor<DocumentedPoints>("origin", [], true, static (_, request, _) => new(request.Respond(0))),
        new RpcMethodDescriptor<DocumentedPoints>("shift", [new RpcParameter("p", typeof(object)), new RpcParameter("by", typeof(int), IsOptional: true)], false,
            static (_, request, _) => new(request.Respond(1))),
    ], Document);
}

/// <summary>Another service whose schema named Point differs: the combined document must keep both.</summary>
public sealed class OtherPoints : IRpcService<OtherPoints>
{
    public static RpcServiceTable<OtherPoints> RpcTable { get; } = new(
    [
        new RpcMethodDescriptor<OtherPoints>("polar", [], false, static (_, request, _) => new(request.Respond(0))),
    ], """
        {
          "openrpc": "1.3.2",
          "info": { "title": "OtherPoints", "version": "1.0.0.0" },
          "methods": [
            { "name": "polar", "params": [], "result": { "name": "result", "schema": { "$ref": "#/components/schemas/Point" } } }
          ],
          "components": { "schemas": { "Point": { "type": "object", "properties": { "R": { "type": "number" } } } } }
        }
        """);
}

public class DiscoveryTests
{
    private static readonly JsonRpcProtocol Protocol = new();

    private static async Task<JsonNode?> Dispatch(RpcDispatcher dispatcher, string json)
    {
        RpcMessage? reply = await dispatcher.DispatchAsync(Protocol.ParseRequest(Encoding.UTF8.GetBytes(json)));
        return reply is null ? null : JsonNode.Parse(reply.Serialize().Span);
    }

    private static RpcDispatcher Nested()
    {
        var inner = new RpcDispatcher();
        inner.AddMethod("ping", static (request, _) => new(request.Respond("pong")));
        inner.AddMethod("shadowed", static (request, _) => new(request.Respond("inner")));

        var dispatcher = new RpcDispatcher();
        dispatcher.AddMethod("version", static (request, _) => new(request.Respond("1.0")),
            [new RpcParameter("detail", typeof(bool), IsOptional: true), new RpcParameter("rest", typeof(string[]), IsParamArray: true)]);
        dispatcher.AddMethod("tools.shadowed", static (request, _) => new(request.Respond("outer")));
        dispatcher.RegisterInstance(new SomeWebsite("a"), "sitea.");
        dispatcher.AddSubdispatcher(inner, "tools.");
        return dispatcher;
    }

    [Fact]
    public void GetAllMethods_lists_every_served_name_with_prefixes_subdispatchers_and_parameters()
    {
        RpcDispatcher dispatcher = Nested();
        IReadOnlyList<RpcMethod> methods = dispatcher.GetAllMethods();
        Assert.Equal(["version", "tools.shadowed", "sitea.get_user_info", "sitea.get_user_comment", "tools.ping"], methods.Select(m => m.Name));
        Assert.Equal(["detail", "rest"], methods[0].Parameters.Select(p => p.Name));
        Assert.Equal(["comment_id"], methods[3].Parameters.Select(p => p.Name));

        // MethodNames keeps meaning the dispatcher's own; each listed method is the one a request reaches.
        Assert.Equal(["version", "tools.shadowed"], dispatcher.MethodNames.Order(StringComparer.Ordinal).Reverse());
        foreach (RpcMethod method in methods)
        {
            Assert.Same(dispatcher.GetMethod(method.Name).Handler, method.Handler);
        }
    }

    [Fact]
    public async Task Rpc_discover_is_an_unknown_method_unless_enabled()
    {
        RpcDispatcher dispatcher = Nested();
        JsonNode? reply = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"rpc.discover","id":1}""");
        Assert.Equal(-32601, (int)reply!["error"]!["code"]!);

        dispatcher.EnableDiscovery = true;
        reply = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"rpc.discover","id":2}""");
        Assert.Null(reply!["error"]);
        JsonNode document = reply["result"]!;
        Assert.Equal("1.3.2", (string?)document["openrpc"]);
        Assert.Equal(JsonNode.Parse(dispatcher.GetOpenRpcDocument())!.ToJsonString(), document.ToJsonString());

        // Other rpc. names stay refused; rpc.discover takes no parameters.
        reply = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"rpc.other","id":3}""");
        Assert.Equal(-32601, (int)reply!["error"]!["code"]!);
        reply = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"rpc.discover","params":[1],"id":4}""");
        Assert.Equal(-32602, (int)reply!["error"]!["code"]!);

        // A notification gets no reply.
        Assert.Null(await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"rpc.discover"}"""));
    }

    [Fact]
    public async Task Rpc_discover_goes_through_the_caller()
    {
        var called = new List<string>();
        var dispatcher = new RpcDispatcher
        {
            EnableDiscovery = true,
            Caller = (method, request, ct) =>
            {
                called.Add(method.Name);
                return method.InvokeAsync(request, ct);
            },
        };
        JsonNode? reply = await Dispatch(dispatcher, """{"jsonrpc":"2.0","method":"rpc.discover","id":1}""");
        Assert.NotNull(reply!["result"]);
        Assert.Equal(["rpc.discover"], called);
    }

    [Fact]
    public void Document_describes_methods_added_one_by_one_from_their_names_and_parameters()
    {
        JsonNode document = JsonNode.Parse(Nested().GetOpenRpcDocument())!;
        Assert.Equal("TinyRpc", (string?)document["info"]!["title"]);
        JsonNode version = document["methods"]![0]!;
        Assert.Equal("version", (string?)version["name"]);
        Assert.Equal("either", (string?)version["paramStructure"]);
        Assert.Equal("""[{"name":"detail","schema":{},"required":false},{"name":"rest","schema":{},"required":false,"x-params-array":true}]""",
            version["params"]!.ToJsonString());
        Assert.Equal("""{"name":"result","schema":{}}""", version["result"]!.ToJsonString());
        Assert.Equal(["version", "tools.shadowed", "sitea.get_user_info", "sitea.get_user_comment", "tools.ping"],
            document["methods"]!.AsArray().Select(m => (string?)m!["name"]));
    }

    [Fact]
    public void Generated_documents_are_merged_under_their_prefixes_and_schema_names_kept_apart()
    {
        RpcServiceRegistry.RegisterTable(DocumentedPoints.RpcTable); // what the generated module initializer does
        var dispatcher = new RpcDispatcher { DiscoveryTitle = "Shapes", DiscoveryVersion = "2.1.0" };
        dispatcher.RegisterInstance(new DocumentedPoints(), "a.");
        dispatcher.RegisterStatic<DocumentedPoints>("static.");
        dispatcher.RegisterInstance((object)new DocumentedPoints(), "b.");
        dispatcher.RegisterInstance(new OtherPoints(), "other.");
        JsonNode document = JsonNode.Parse(dispatcher.GetOpenRpcDocument())!;

        Assert.Equal("""{"title":"Shapes","version":"2.1.0"}""", document["info"]!.ToJsonString());
        JsonArray methods = document["methods"]!.AsArray();
        Assert.Equal(["a.origin", "a.shift", "static.origin", "b.origin", "b.shift", "other.polar"], methods.Select(m => (string?)m!["name"]));
        Assert.Equal("The origin.", (string?)methods[0]!["description"]);
        Assert.Equal("#/components/schemas/Point", (string?)methods[1]!["params"]![0]!["schema"]!["$ref"]);

        // Equal schemas are shared; a different one under a taken name is renamed, and its references follow.
        JsonObject schemas = document["components"]!["schemas"]!.AsObject();
        Assert.Equal(["Point", "Point_2"], schemas.Select(s => s.Key));
        Assert.Equal("#/components/schemas/Point_2", (string?)methods[5]!["result"]!["schema"]!["$ref"]);
        Assert.NotNull(schemas["Point_2"]!["properties"]!["R"]);
    }

    [Fact]
    public void Document_is_rebuilt_after_a_registration_anywhere_below()
    {
        var inner = new RpcDispatcher();
        var dispatcher = new RpcDispatcher();
        dispatcher.AddSubdispatcher(inner, "in.");
        // Built once while nothing changes.
        Assert.True(dispatcher.GetOpenRpcDocumentUtf8().Equals(dispatcher.GetOpenRpcDocumentUtf8()));
        Assert.DoesNotContain("in.late", dispatcher.GetOpenRpcDocument(), StringComparison.Ordinal);

        inner.AddMethod("late", static (request, _) => new(request.Respond(1)));
        Assert.Contains("in.late", dispatcher.GetOpenRpcDocument(), StringComparison.Ordinal);
        dispatcher.DiscoveryTitle = "Renamed";
        Assert.Contains("Renamed", dispatcher.GetOpenRpcDocument(), StringComparison.Ordinal);
    }
}
