using System.Text.Json;

namespace TinyRpc.Protocols.JsonRpc;

/// <summary>
/// The envelope members written on every message, encoded once: writing a <see cref="JsonEncodedText"/> skips the
/// escaping check that a span or string gets each time.
/// </summary>
internal static class JsonRpcNames
{
    public static readonly JsonEncodedText JsonRpc = JsonEncodedText.Encode("jsonrpc");
    public static readonly JsonEncodedText Version = JsonEncodedText.Encode(JsonRpcProtocol.JsonRpcVersion);
    public static readonly JsonEncodedText Method = JsonEncodedText.Encode("method");
    public static readonly JsonEncodedText Params = JsonEncodedText.Encode("params");
    public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    public static readonly JsonEncodedText Result = JsonEncodedText.Encode("result");
}
