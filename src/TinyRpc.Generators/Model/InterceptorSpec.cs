using TinyRpc.Generators.Helpers;

namespace TinyRpc.Generators.Model;

/// <summary>
/// The shape of a delegate passed to <c>RpcDispatcher.AddMethod(Delegate, string?)</c>: call sites with equal
/// shapes share one generated invoker.
/// </summary>
/// <param name="DelegateTypeName">The delegate's natural type (<c>global::System.Func&lt;...&gt;</c> or <c>Action&lt;...&gt;</c>).</param>
/// <param name="DefaultName">The method group's name, used when no name is passed; null for a lambda, which needs one.</param>
/// <param name="ReturnKind">What the delegate returns.</param>
/// <param name="ResultTypeName">The result type, when there is one.</param>
/// <param name="Parameters">The parameters; lambda parameter names are the wire names.</param>
internal sealed record DelegateSpec(
    string DelegateTypeName,
    string? DefaultName,
    ReturnKind ReturnKind,
    string? ResultTypeName,
    ImmutableEquatableArray<ParameterSpec> Parameters);

/// <summary>Where a call is intercepted: the arguments of <c>[InterceptsLocation(version, data)]</c>.</summary>
/// <param name="Version">The location format version.</param>
/// <param name="Data">The opaque location data.</param>
/// <param name="FileName">The file name (no directory), for ordering and a comment in the generated code.</param>
/// <param name="Line">The one-based line of the call.</param>
/// <param name="Column">The one-based column of the call.</param>
internal sealed record InterceptedLocationSpec(int Version, string Data, string FileName, int Line, int Column)
{
    /// <summary><c>Program.cs(12,9)</c>.</summary>
    public string DisplayLocation => $"{FileName}({Line.ToString(System.Globalization.CultureInfo.InvariantCulture)},{Column.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}

/// <summary>One intercepted <c>AddMethod</c> call.</summary>
internal sealed record InterceptorSpec(DelegateSpec Delegate, InterceptedLocationSpec Location);
