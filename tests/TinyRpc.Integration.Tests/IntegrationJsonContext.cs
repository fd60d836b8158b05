using System.Text.Json.Serialization;

namespace TinyRpc.Integration.Tests;

/// <summary>
/// JSON metadata for the types of this project that RPC methods use, as a trimmed or NativeAOT application needs
/// it (the project runs the AOT analysis, and TRPC0009 asks for every such type).
/// </summary>
[JsonSerializable(typeof(UserInfo))]
internal sealed partial class IntegrationJsonContext : JsonSerializerContext;
