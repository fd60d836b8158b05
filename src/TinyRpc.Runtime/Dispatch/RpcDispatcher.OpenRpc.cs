using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

public partial class RpcDispatcher
{
    /// <summary>The method name of OpenRPC service discovery, answered when <see cref="EnableDiscovery"/> is true.</summary>
    public const string DiscoverMethodName = "rpc.discover";

    /// <summary>The OpenRPC version of the documents <see cref="GetOpenRpcDocument"/> produces.</summary>
    public const string OpenRpcVersion = "1.3.2";

    // The generated document of the service whose table filled this dispatcher (RegisterInstance, RegisterStatic);
    // set before the dispatcher is published as a subdispatcher, never changed after.
    private string? _openRpcDocument;
    private volatile DiscoveryCache? _discovery;
    private RpcMethod? _discoverMethod;

    /// <summary>
    /// When true, a request for <c>rpc.discover</c> (<see cref="DiscoverMethodName"/>) that no registered method
    /// takes is answered with <see cref="GetOpenRpcDocument"/>'s document, on every protocol and transport this
    /// dispatcher serves; it goes through <see cref="Validator"/> (it takes no parameters) and <see cref="Caller"/>
    /// like any call. False by default: then <c>rpc.discover</c> is an unknown method like any other name.
    /// </summary>
    /// <remarks>
    /// The result is the document itself: a JSON object over JSON-RPC; over other protocols (MSGPACK-RPC) the same
    /// tree of maps, arrays, strings, integers, floats, booleans and nil. Only the dispatcher a server was given
    /// answers; a subdispatcher's setting is not consulted.
    /// </remarks>
    public bool EnableDiscovery { get; set; }

    /// <summary>The <c>info.title</c> of <see cref="GetOpenRpcDocument"/>'s document; <c>TinyRpc</c> by default.</summary>
    public string DiscoveryTitle { get; set; } = "TinyRpc";

    /// <summary>The <c>info.version</c> of <see cref="GetOpenRpcDocument"/>'s document (the API's version); <c>1.0.0</c> by default.</summary>
    public string DiscoveryVersion { get; set; } = "1.0.0";

    /// <summary>
    /// Every method this dispatcher serves, under the name a request uses (registration prefixes included), in
    /// lookup order: its own methods, then each subdispatcher's, depth first (see <see cref="RpcDispatcher"/>). A name
    /// two subdispatchers could serve is listed once, for the method that serves it. Each has its parameters.
    /// </summary>
    public IReadOnlyList<RpcMethod> GetAllMethods()
    {
        var served = new List<RpcMethod>();
        foreach (Served entry in CollectServed())
        {
            served.Add(entry.Method.Name == entry.Name ? entry.Method : entry.Method.WithName(entry.Name));
        }

        return served;
    }

    /// <summary>
    /// The OpenRPC 1.3 document (https://spec.open-rpc.org) of everything this dispatcher serves, as JSON text: the
    /// methods of <see cref="GetAllMethods"/> in that order. A method registered from a generated table
    /// (<see cref="RegisterInstance{TService}(TService, string)"/>, <see cref="RegisterStatic{TService}(string)"/>,
    /// <see cref="RegisterInstance(object, string)"/>) is described by its service's generated document, its name
    /// with the registration prefixes prepended; its schemas are merged into <c>components/schemas</c> (one with a
    /// name taken by a different schema is renamed with a numeric suffix). Any other method is described from what
    /// is known at run time: its name and its parameters' names, each with a schema that accepts any value.
    /// <c>rpc.discover</c> itself is not listed.
    /// </summary>
    /// <remarks>The document is built again only after a registration changed what is served.</remarks>
    public string GetOpenRpcDocument() => System.Text.Encoding.UTF8.GetString(GetOpenRpcDocumentUtf8().Span);

    /// <summary>The document of <see cref="GetOpenRpcDocument"/> as UTF-8 JSON.</summary>
    public ReadOnlyMemory<byte> GetOpenRpcDocumentUtf8()
    {
        DiscoveryCache? cache = _discovery;
        string title = DiscoveryTitle;
        string version = DiscoveryVersion;
        if (cache is not null && cache.IsCurrent(title, version))
        {
            return cache.Document;
        }

        var sources = new List<(RpcDispatcher, int)>();
        List<Served> served = CollectServed(sources);
        cache = new DiscoveryCache(BuildDocument(served, title, version), [.. sources], title, version);
        _discovery = cache;
        return cache.Document;
    }

    private bool TryGetDiscoverMethod(RpcRequest request, [NotNullWhen(true)] out RpcMethod? method)
    {
        if (EnableDiscovery && string.Equals(request.Method, DiscoverMethodName, StringComparison.Ordinal))
        {
            method = _discoverMethod ??= new RpcMethod(DiscoverMethodName, [], (r, _) => new(RespondDiscover(r)));
            return true;
        }

        method = null;
        return false;
    }

    private RpcResponse? RespondDiscover(RpcRequest request)
    {
        using JsonDocument document = JsonDocument.Parse(GetOpenRpcDocumentUtf8());

        // The tree as plain values (maps, arrays, strings, numbers), which every protocol writes without
        // serialization metadata of its own.
        return request.Respond<object>(ToPlainValue(document.RootElement)!);
    }

    /// <summary>A JSON value as maps (string keys, in document order), arrays, strings, long, double, bool and null.</summary>
    private static object? ToPlainValue(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    map[property.Name] = ToPlainValue(property.Value);
                }

                return map;
            case JsonValueKind.Array:
                var items = new List<object?>(element.GetArrayLength());
                foreach (JsonElement item in element.EnumerateArray())
                {
                    items.Add(ToPlainValue(item));
                }

                return items;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.TryGetInt64(out long integer) ? integer : element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    /// <summary>A method served under <see cref="Name"/>, and the dispatcher that holds it.</summary>
    private readonly record struct Served(string Name, RpcMethod Method, RpcDispatcher Owner);

    private List<Served> CollectServed(List<(RpcDispatcher, int)>? sources = null)
    {
        var served = new List<Served>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<RpcDispatcher>(ReferenceEqualityComparer.Instance);
        Collect(this, "", served, names, seen, sources);
        return served;
    }

    private static void Collect(RpcDispatcher dispatcher, string prefix, List<Served> served, HashSet<string> names,
        HashSet<RpcDispatcher> seen, List<(RpcDispatcher, int)>? sources)
    {
        // The version is read before the tables, as for the flattened lookup table: a registration that lands
        // meanwhile makes the result stale rather than wrong for good. Registration refuses cycles, so this ends.
        if (sources is not null && seen.Add(dispatcher))
        {
            sources.Add((dispatcher, Volatile.Read(ref dispatcher._version)));
        }

        foreach (KeyValuePair<string, RpcMethod> entry in dispatcher._methods)
        {
            string name = prefix + entry.Key;
            if (names.Add(name))
            {
                served.Add(new Served(name, entry.Value, dispatcher));
            }
        }

        foreach ((string subPrefix, RpcDispatcher sub) in dispatcher._subdispatchers)
        {
            Collect(sub, prefix + subPrefix, served, names, seen, sources);
        }
    }

    private static byte[] BuildDocument(List<Served> served, string title, string version)
    {
        var components = new JsonObject();
        var methods = new JsonArray();
        var parsed = new Dictionary<RpcDispatcher, GeneratedDocument?>(ReferenceEqualityComparer.Instance);
        foreach (Served entry in served)
        {
            if (!parsed.TryGetValue(entry.Owner, out GeneratedDocument? generated))
            {
                generated = entry.Owner._openRpcDocument is { } text ? GeneratedDocument.Parse(text, components) : null;
                parsed.Add(entry.Owner, generated);
            }

            JsonObject method = generated?.Method(entry.Method.Name) is { } described
                ? (JsonObject)described.DeepClone()
                : Undescribed(entry.Method);
            method["name"] = entry.Name;
            methods.Add((JsonNode)method);
        }

        var document = new JsonObject
        {
            ["openrpc"] = OpenRpcVersion,
            ["info"] = new JsonObject { ["title"] = title, ["version"] = version },
            ["methods"] = methods,
        };
        if (components.Count > 0)
        {
            document["components"] = new JsonObject { ["schemas"] = components };
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    /// <summary>A method added one by one: its name and parameter names are known, their types are not described.</summary>
    private static JsonObject Undescribed(RpcMethod method)
    {
        var parameters = new JsonArray();
        foreach (RpcParameter parameter in method.Parameters)
        {
            var descriptor = new JsonObject
            {
                ["name"] = parameter.Name,
                ["schema"] = new JsonObject(),
                ["required"] = !parameter.IsOptional && !parameter.IsParamArray,
            };
            if (parameter.IsParamArray)
            {
                descriptor["x-params-array"] = true;
            }

            parameters.Add((JsonNode)descriptor);
        }

        return new JsonObject
        {
            ["name"] = method.Name,
            ["paramStructure"] = "either",
            ["params"] = parameters,
            ["result"] = new JsonObject { ["name"] = "result", ["schema"] = new JsonObject() },
        };
    }

    /// <summary>A service's generated document, its schemas merged into the combined document's components.</summary>
    private sealed class GeneratedDocument
    {
        private readonly Dictionary<string, JsonObject> _methods = new(StringComparer.Ordinal);

        public JsonObject? Method(string name) => _methods.GetValueOrDefault(name);

        public static GeneratedDocument? Parse(string text, JsonObject components)
        {
            JsonObject? root;
            try
            {
                root = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                return null; // not written by the generator: the methods are described as undescribed ones
            }

            if (root is null)
            {
                return null;
            }

            // A schema name another service already uses for a different schema gets a suffix, and this document's
            // references follow it.
            var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root["components"]?["schemas"] is JsonObject schemas)
            {
                foreach (KeyValuePair<string, JsonNode?> schema in schemas)
                {
                    string name = schema.Key;
                    for (int n = 2; components[name] is { } existing && !JsonNode.DeepEquals(existing, schema.Value); n++)
                    {
                        name = schema.Key + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }

                    if (name != schema.Key)
                    {
                        renamed.Add("#/components/schemas/" + schema.Key, "#/components/schemas/" + name);
                    }
                }

                foreach (KeyValuePair<string, JsonNode?> schema in schemas)
                {
                    string name = renamed.TryGetValue("#/components/schemas/" + schema.Key, out string? to) ? to["#/components/schemas/".Length..] : schema.Key;
                    if (components[name] is null)
                    {
                        JsonNode? copy = schema.Value?.DeepClone();
                        Rename(copy, renamed);
                        components[name] = copy;
                    }
                }
            }

            var document = new GeneratedDocument();
            if (root["methods"] is JsonArray methods)
            {
                foreach (JsonNode? method in methods)
                {
                    if (method is JsonObject m && m["name"]?.GetValueKind() == JsonValueKind.String)
                    {
                        Rename(m, renamed);
                        document._methods.TryAdd(m["name"]!.GetValue<string>(), m);
                    }
                }
            }

            return document;
        }

        private static void Rename(JsonNode? node, Dictionary<string, string> renamed)
        {
            if (renamed.Count == 0)
            {
                return;
            }

            switch (node)
            {
                case JsonObject o:
                    if (o["$ref"] is JsonValue reference && reference.TryGetValue(out string? target) && renamed.TryGetValue(target, out string? to))
                    {
                        o["$ref"] = to;
                    }

                    foreach (KeyValuePair<string, JsonNode?> member in o.ToArray())
                    {
                        if (member.Key != "$ref")
                        {
                            Rename(member.Value, renamed);
                        }
                    }

                    break;
                case JsonArray a:
                    foreach (JsonNode? item in a)
                    {
                        Rename(item, renamed);
                    }

                    break;
            }
        }
    }

    private sealed class DiscoveryCache
    {
        private readonly (RpcDispatcher Dispatcher, int Version)[] _sources;
        private readonly string _title;
        private readonly string _version;

        public DiscoveryCache(byte[] document, (RpcDispatcher Dispatcher, int Version)[] sources, string title, string version)
        {
            Document = document;
            _sources = sources;
            _title = title;
            _version = version;
        }

        public ReadOnlyMemory<byte> Document { get; }

        public bool IsCurrent(string title, string version)
        {
            if (!string.Equals(_title, title, StringComparison.Ordinal) || !string.Equals(_version, version, StringComparison.Ordinal))
            {
                return false;
            }

            foreach ((RpcDispatcher dispatcher, int seen) in _sources)
            {
                if (dispatcher.Version != seen)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
