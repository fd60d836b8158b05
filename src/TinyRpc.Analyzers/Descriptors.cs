using Microsoft.CodeAnalysis;

namespace TinyRpc.Analyzers;

/// <summary>The descriptors of every TinyRpc diagnostic.</summary>
internal static partial class Descriptors
{
    /// <summary>Where the diagnostic pages live; each ID's page is <c>{base}/TRPCnnnn.md</c>.</summary>
    public const string HelpLinkBase = "https://github.com/tinyrpc-dotnet/tinyrpc/blob/main/docs/diagnostics/";

    private const string Contract = "TinyRpc.Contract";
    private const string Serialization = "TinyRpc.Serialization";

    public static readonly DiagnosticDescriptor DuplicateRpcName = Create(
        DiagnosticIds.DuplicateRpcName,
        "Two RPC methods have the same name",
        "'{0}' is served as '{1}', which '{2}' also uses; give one of them another name with [Public(\"name\")]",
        Contract,
        DiagnosticSeverity.Error,
        "Every RPC method of a service needs a name of its own. Overloads, an explicit [Public(\"name\")], the naming policy, Async-suffix trimming or a name inherited from an interface can make two names equal; the generator then serves neither.");

    public static readonly DiagnosticDescriptor PublicOutsideService = Create(
        DiagnosticIds.PublicOutsideService,
        "[Public] on a method of a type without [RpcService]",
        "'{0}' is marked [Public] but '{1}' has no [RpcService], so it is never served; add [RpcService] to '{1}' (and make it partial)",
        Contract,
        DiagnosticSeverity.Warning,
        "[Public] only takes effect in a class with [RpcService], in a base class of one, or in an interface such a class implements.");

    public static readonly DiagnosticDescriptor InaccessibleMethod = Create(
        DiagnosticIds.InaccessibleMethod,
        "[Public] method cannot be reached by the generated code",
        "'{0}' in '{1}' cannot be reached from the generated dispatch table of a derived service; make it public or protected",
        Contract,
        DiagnosticSeverity.Error,
        "The dispatch table generated for an [RpcService] class lives inside that class; it reaches the class's own members and the accessible members of its base classes, not their private ones.");

    public static readonly DiagnosticDescriptor UnsupportedMethod = Create(
        DiagnosticIds.UnsupportedMethod,
        "RPC method cannot be called remotely",
        "'{0}' cannot be called remotely: {1}",
        Contract,
        DiagnosticSeverity.Error,
        "An RPC method must be a non-generic method that returns by value and takes its arguments by value, with at most one CancellationToken, defaults that are constants, and params only as an array.");

    public static readonly DiagnosticDescriptor InvalidRpcName = Create(
        DiagnosticIds.InvalidRpcName,
        "Invalid RPC name",
        "'{0}' is not a valid RPC name for '{1}': {2}; choose another name",
        Contract,
        DiagnosticSeverity.Error,
        "An RPC name must not be empty or white space, must not begin or end with white space, must not contain control characters, and must not begin with 'rpc.', which JSON-RPC 2.0 reserves.");

    public static readonly DiagnosticDescriptor UnsupportedType = Create(
        DiagnosticIds.UnsupportedType,
        "Type cannot be carried by an RPC protocol",
        "{0} of '{1}' has type '{2}', which cannot be sent: {3}",
        Contract,
        DiagnosticSeverity.Error,
        "Arguments and results travel as JSON or MessagePack data. Delegates, pointers, ref structs such as Span<T>, streams, System.Type, native integers, and tasks or cancellation tokens as values cannot.");

    public static readonly DiagnosticDescriptor EmptyService = Create(
        DiagnosticIds.EmptyService,
        "RPC service has no RPC methods",
        "'{0}' has [RpcService] but no method that can be called remotely; mark methods with [Public] or remove [RpcService]",
        Contract,
        DiagnosticSeverity.Warning,
        "A service class serves only its [Public] methods (and those of its base classes and interfaces); an [RpcService] interface needs at least one method for its proxy.");

    public static readonly DiagnosticDescriptor OneWayWithResult = Create(
        DiagnosticIds.OneWayWithResult,
        "One-way method returns a value",
        "'{0}' is [OneWay] but returns '{1}'; a notification has no reply, so return void, Task or ValueTask, or remove [OneWay]",
        Contract,
        DiagnosticSeverity.Error,
        "A one-way call sends a notification, to which the server never replies, so there is no result to return.");

    public static readonly DiagnosticDescriptor MissingSerializationMetadata = Create(
        DiagnosticIds.MissingSerializationMetadata,
        "RPC type has no JSON serialization metadata",
        "'{0}' is used by RPC method '{1}' but no JsonSerializerContext in this project lists it; add [JsonSerializable(typeof({2}))] to {3}",
        Serialization,
        DiagnosticSeverity.Warning,
        "When a project is trimmed or compiled with NativeAOT, the JSON protocol can only serialize types whose metadata a JsonSerializerContext provides.");

    public static readonly DiagnosticDescriptor MissingMessagePackFormatter = Create(
        DiagnosticIds.MissingMessagePackFormatter,
        "RPC type gets no MSGPACK-RPC formatter ahead of time",
        "'{0}' is used by RPC method '{1}' but TinyRpc generates no MSGPACK-RPC formatter for it: {2}; change the type, or give MessagePackRpcProtocolOptions.SerializerOptions a resolver with a formatter for it",
        Serialization,
        DiagnosticSeverity.Warning,
        "When a project is trimmed or compiled with NativeAOT, the MSGPACK-RPC protocol can only serialize user types whose formatters TinyRpc's generator writes or a resolver of the app's supplies.");

    public static readonly DiagnosticDescriptor InvalidServiceType = Create(
        DiagnosticIds.InvalidServiceType,
        "[RpcService] type cannot be generated",
        "No code can be generated for '{0}': {1}",
        Contract,
        DiagnosticSeverity.Error,
        "A service class must be a non-generic, non-static, non-file-local partial class (nested only in partial types); a proxy interface must be non-generic, visible at namespace level, and declare only instance methods as abstract members.");

    public static readonly DiagnosticDescriptor InvalidParameterName = Create(
        DiagnosticIds.InvalidParameterName,
        "Invalid or duplicate parameter wire name",
        "Parameter '{0}' of '{1}' would be sent by name as '{2}', which {3}; give it another name with [RpcName(\"name\")]",
        Contract,
        DiagnosticSeverity.Error,
        "A by-name (keyword) argument is read under the parameter's wire name: its [RpcName], or its C# name with the service's naming policy applied. Each parameter of a method needs a valid wire name of its own (not empty or white space, no control characters, no white space at either end); the generator serves no method where two are equal or one is invalid.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description, params string[] tags)
        => new(id, title, message, category, severity, isEnabledByDefault: true, description, HelpLinkBase + id + ".md", tags);
}
