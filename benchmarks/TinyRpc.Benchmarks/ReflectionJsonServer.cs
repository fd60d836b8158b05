using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TinyRpc.Benchmarks;

/// <summary>
/// Dispatch the way a reflection-based server does it: the envelope and every argument through
/// JsonSerializer.Deserialize(Type), the call through MethodInfo.Invoke, the response through Serialize(Type).
/// Metadata (methods by name, their parameters) is looked up once and cached, as such servers do.
/// </summary>
public sealed class ReflectionJsonServer
{
    private static readonly JsonSerializerOptions s_options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly object _target;
    private readonly Dictionary<string, (MethodInfo Method, Type[] Parameters)> _methods = new(StringComparer.Ordinal);

    public ReflectionJsonServer(object target)
    {
        _target = target;
        foreach (MethodInfo method in target.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.GetCustomAttribute<PublicAttribute>() is { } attribute)
            {
                _methods.Add(attribute.Name ?? method.Name, (method, method.GetParameters().Select(static p => p.ParameterType).ToArray()));
            }
        }
    }

    // The Type-taking overloads are the point of this baseline: the types are known only at run time.
#pragma warning disable CA2263
    public byte[] Handle(byte[] request)
    {
        var envelope = (RequestEnvelope)JsonSerializer.Deserialize(request, typeof(RequestEnvelope), s_options)!;
        (MethodInfo method, Type[] parameterTypes) = _methods[envelope.Method];
        object?[] args = new object?[parameterTypes.Length];
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = envelope.Params[i].Deserialize(parameterTypes[i], s_options);
        }

        object? result = method.Invoke(_target, args);
        return JsonSerializer.SerializeToUtf8Bytes(new ResponseEnvelope { Id = envelope.Id, Result = result }, typeof(ResponseEnvelope), s_options);
    }
#pragma warning restore CA2263

    public sealed class RequestEnvelope
    {
        [JsonPropertyName("jsonrpc")]
        public string JsonRpc { get; set; } = "";

        [JsonPropertyName("method")]
        public string Method { get; set; } = "";

        [JsonPropertyName("params")]
        public JsonElement[] Params { get; set; } = [];

        [JsonPropertyName("id")]
        public JsonElement Id { get; set; }
    }

    public sealed class ResponseEnvelope
    {
        [JsonPropertyName("jsonrpc")]
        public string JsonRpc { get; set; } = "2.0";

        [JsonPropertyName("id")]
        public JsonElement Id { get; set; }

        [JsonPropertyName("result")]
        public object? Result { get; set; }
    }
}
