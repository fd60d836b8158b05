using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators;

public sealed partial class RpcGenerator
{
    internal static partial class Emitter
    {
        /// <summary>
        /// One file with an interceptor per delegate shape: every <c>AddMethod</c> call site whose delegate has the
        /// same type, parameter names and default name shares an interceptor (one <c>[InterceptsLocation]</c> each).
        /// </summary>
        public static string EmitInterceptors(ImmutableArray<InterceptorSpec> calls)
        {
            // Deterministic order: call sites by location, shapes by their first call site.
            List<IGrouping<DelegateSpec, InterceptorSpec>> groups = calls
                .OrderBy(static c => c.Location.FileName, StringComparer.Ordinal)
                .ThenBy(static c => c.Location.Line)
                .ThenBy(static c => c.Location.Column)
                .ThenBy(static c => c.Location.Data, StringComparer.Ordinal)
                .GroupBy(static c => c.Delegate)
                .ToList();

            var w = new SourceWriter();
            WriteHeader(w);
            w.WriteLines($$"""
                namespace System.Runtime.CompilerServices
                {
                    {{GeneratedCodeAttribute}}
                    [global::System.AttributeUsage(global::System.AttributeTargets.Method, AllowMultiple = true)]
                    file sealed class InterceptsLocationAttribute : global::System.Attribute
                    {
                        public InterceptsLocationAttribute(int version, string data)
                        {
                            _ = version;
                            _ = data;
                        }
                    }
                }

                namespace {{KnownNames.InterceptorsNamespace}}
                {
                    /// <summary>
                    /// Replaces calls of <see cref="global::TinyRpc.Dispatch.RpcDispatcher.AddMethod(global::System.Delegate, string?)"/> with
                    /// generated, reflection-free invokers. Active in projects that list <c>TinyRpc.Generated</c> in the
                    /// <c>InterceptorsNamespaces</c> MSBuild property.
                    /// </summary>
                    {{GeneratedCodeAttribute}}
                    file static class RpcDispatcherInterceptors
                    {
                """);
            w.Indentation += 2;
            for (int i = 0; i < groups.Count; i++)
            {
                if (i > 0)
                {
                    w.WriteLine();
                }

                WriteInterceptor(w, i.ToString(CultureInfo.InvariantCulture), groups[i].Key, groups[i]);
            }

            w.CloseBlock();
            w.CloseBlock();
            return w.ToString();
        }

        private static void WriteInterceptor(SourceWriter w, string id, DelegateSpec shape, IEnumerable<InterceptorSpec> sites)
        {
            foreach (InterceptorSpec site in sites)
            {
                w.WriteLine("// " + site.Location.DisplayLocation);
                w.WriteLine($"[global::System.Runtime.CompilerServices.InterceptsLocation({site.Location.Version.ToString(CultureInfo.InvariantCulture)}, {Literal(site.Location.Data)})]");
            }

            string name = shape.DefaultName is null
                ? "name ?? throw new global::System.ArgumentException(\"A lambda needs a name.\", nameof(name))"
                : "name ?? " + Literal(shape.DefaultName);
            w.OpenBlock($"public static void AddMethod{id}(this global::TinyRpc.Dispatch.RpcDispatcher dispatcher, global::System.Delegate method, string? name = null)");
            w.WriteLine("global::System.ArgumentNullException.ThrowIfNull(dispatcher);");
            w.WriteLine("global::System.ArgumentNullException.ThrowIfNull(method);");
            w.WriteLine($"{shape.DelegateTypeName} target = ({shape.DelegateTypeName})method;");
            w.WriteLine("dispatcher.AddMethod(new global::TinyRpc.Dispatch.RpcMethod(");
            w.Indentation++;
            w.WriteLine(name + ",");
            w.WriteLine($"s_parameters{id},");
            w.WriteLine($"(request, cancellationToken) => Invoke{id}(target, request, cancellationToken)));");
            w.Indentation--;
            w.CloseBlock();
            w.WriteLine();
            w.WriteLine($"private static readonly global::TinyRpc.Dispatch.RpcParameter[] s_parameters{id} =");
            w.Indentation++;
            WriteParameterList(w, shape.Parameters, ";");
            w.Indentation--;
            w.WriteLine();
            w.OpenBlock($"private static {ValueTaskOfResponse} Invoke{id}({shape.DelegateTypeName} __target, global::TinyRpc.Protocols.RpcRequest __request, global::System.Threading.CancellationToken __cancellationToken)");
            WriteInvokerBody(w, shape.Parameters, shape.ReturnKind, shape.ResultTypeName, "__target");
            w.CloseBlock();
        }
    }
}
