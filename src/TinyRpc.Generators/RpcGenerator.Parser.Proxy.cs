using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;
using TinyRpc.Shared;

namespace TinyRpc.Generators;

partial class RpcGenerator
{
    internal static partial class Parser
    {
        // ---- [RpcService] interfaces ----------------------------------------------------------------

        public static ProxySpec? ParseProxy(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
            => context.TargetSymbol is INamedTypeSymbol contract
                ? ParseProxy(contract, context.Attributes[0], cancellationToken)
                : null;

        public static ProxySpec? ParseProxy(INamedTypeSymbol contract, AttributeData serviceAttribute, CancellationToken cancellationToken)
        {
            // A proxy must implement every abstract member, so an interface with a member the proxy cannot
            // implement (generic, static abstract, property, event, ref/out, invalid name, one-way with a
            // result) gets no proxy at all; so does one that is generic or not visible at namespace level. All
            // reported by the analyzers.
            if (GetProxyInterfaceProblem(contract) is not null)
            {
                return null;
            }

            // Two methods may call one remote method (a sync and an async variant, say): equal names are fine here.
            List<ProxyMethod>? candidates = CollectProxyMethods(contract, serviceAttribute, cancellationToken);
            if (candidates is null || candidates.Any(static c => c.Spec is null))
            {
                return null;
            }

            string name = contract.Name.Length > 1 && contract.Name[0] == 'I' && char.IsUpper(contract.Name[1])
                ? contract.Name.Substring(1)
                : contract.Name;
            string prefix = string.Concat(ContainingTypes(contract).Select(static t => t.Name));
            return new ProxySpec(
                HintName: HintName(contract),
                Namespace: NamespaceOf(contract),
                InterfaceTypeName: contract.ToDisplayString(TypeOfFormat),
                ProxyName: prefix + name + "Proxy",
                IsPublic: IsPublicChain(contract),
                Methods: candidates.Select(static c => c.Spec!).ToImmutableEquatableArray());
        }

        /// <summary>Why no proxy can be generated for the <c>[RpcService]</c> interface, or null when one can.</summary>
        internal static string? GetProxyInterfaceProblem(INamedTypeSymbol contract)
        {
            if (contract.IsFileLocal)
            {
                return "a file-local interface cannot have a proxy; remove the 'file' modifier";
            }

            if (IsGenericChain(contract))
            {
                return "a generic interface (or an interface nested in a generic type) cannot have a proxy";
            }

            return IsModuleAccessible(contract) ? null : "the interface and every type containing it must be public or internal";
        }

        /// <summary>
        /// A method the proxy of an <c>[RpcService]</c> interface implements, with its RPC name and spec (null when
        /// the proxy cannot implement it).
        /// </summary>
        internal sealed record ProxyMethod(IMethodSymbol Method, string RpcName, ProxyMethodSpec? Spec);

        /// <summary>
        /// The abstract methods of the interface and its base interfaces, in proxy order; null when an abstract
        /// member is not an instance method, which no proxy can implement.
        /// </summary>
        internal static List<ProxyMethod>? CollectProxyMethods(INamedTypeSymbol contract, AttributeData serviceAttribute, CancellationToken cancellationToken)
            => CollectProxyMethods(contract, serviceAttribute, out _, cancellationToken);

        /// <summary>As above; <paramref name="blocking"/> names the member no proxy can implement.</summary>
        internal static List<ProxyMethod>? CollectProxyMethods(INamedTypeSymbol contract, AttributeData serviceAttribute, out ISymbol? blocking, CancellationToken cancellationToken)
        {
            blocking = null;
            (RpcNamingPolicyValue policy, bool trimAsync) = ReadServiceSettings(serviceAttribute);
            var methods = new List<ProxyMethod>();
            IEnumerable<INamedTypeSymbol> contracts = new[] { contract }
                .Concat(contract.AllInterfaces.OrderBy(static i => i.ToDisplayString(TypeOfFormat), StringComparer.Ordinal));
            foreach (INamedTypeSymbol current in contracts)
            {
                // A base interface with [RpcService] of its own names its methods by its own settings, as the
                // server-side table does.
                (RpcNamingPolicyValue policy, bool trimAsync) settings = !SymbolEqualityComparer.Default.Equals(current, contract)
                    && FindAttribute(current, KnownNames.RpcServiceAttribute) is { } own
                    ? ReadServiceSettings(own)
                    : (policy, trimAsync);
                string interfaceName = current.ToDisplayString(TypeOfFormat);
                foreach (ISymbol member in current.GetMembers())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!member.IsAbstract)
                    {
                        continue; // default implementations and non-abstract statics need nothing from the proxy
                    }

                    if (member.IsStatic || member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                    {
                        blocking = member;
                        return null;
                    }

                    AttributeData? publicAttribute = FindAttribute(method, KnownNames.PublicAttribute);
                    string rpcName = RpcNames.GetRpcName(method.Name, publicAttribute is null ? null : ReadPublicName(publicAttribute), settings.policy, settings.trimAsync);
                    ProxyMethodSpec? spec = RpcNames.IsValidName(rpcName) ? TryParseProxyMethod(method, interfaceName, rpcName) : null;
                    methods.Add(new ProxyMethod(method, rpcName, spec));
                }
            }

            return methods;
        }

        internal static ProxyMethodSpec? TryParseProxyMethod(IMethodSymbol method, string interfaceName, string rpcName)
        {
            if (method.IsGenericMethod || method.ReturnsByRef || method.ReturnsByRefReadonly)
            {
                return null;
            }

            (ReturnKind kind, string? resultType)? returns = ClassifyReturn(method.ReturnType);
            if (returns is null)
            {
                return null;
            }

            // A notification has no reply to take a result from.
            bool oneWay = FindAttribute(method, KnownNames.OneWayAttribute) is not null;
            if (oneWay && returns.Value.kind is not (ReturnKind.Void or ReturnKind.Task or ReturnKind.ValueTask))
            {
                return null;
            }

            var parameters = new List<ProxyParameterSpec>();
            bool hasCancellationToken = false;
            bool hasCallContext = false;
            bool hasProgress = false;
            foreach (IParameterSymbol p in method.Parameters)
            {
                if (p.RefKind != RefKind.None || !IsDecodable(p.Type))
                {
                    return null;
                }

                if (ProgressElement(p.Type) is { } progressElement)
                {
                    // One progress per call, and a notification has no reply for its reports to come before.
                    if (hasProgress || oneWay || !IsDecodable(progressElement) || GetUnsupportedValueReason(progressElement) is not null)
                    {
                        return null;
                    }

                    hasProgress = true;
                    parameters.Add(new ProxyParameterSpec(p.Name, p.Type.ToDisplayString(TypeFormat), ParameterKind.Progress, progressElement.ToDisplayString(TypeFormat)));
                }
                else if (IsCancellationToken(p.Type))
                {
                    if (hasCancellationToken)
                    {
                        return null;
                    }

                    hasCancellationToken = true;
                    parameters.Add(new ProxyParameterSpec(p.Name, p.Type.ToDisplayString(TypeFormat), ParameterKind.CancellationToken, null));
                }
                else if (IsRpcConnection(p.Type))
                {
                    // A contract shared with the class that serves it: the server supplies the connection, nothing is sent.
                    parameters.Add(new ProxyParameterSpec(p.Name, p.Type.ToDisplayString(TypeFormat), ParameterKind.Connection, null));
                }
                else if (IsRpcCallContext(p.Type))
                {
                    // Likewise the call's context: the server makes it, whatever the caller passes is not sent. A call
                    // has one context, as the served side insists.
                    if (hasCallContext)
                    {
                        return null;
                    }

                    hasCallContext = true;
                    parameters.Add(new ProxyParameterSpec(p.Name, p.Type.ToDisplayString(TypeFormat), ParameterKind.CallContext, null));
                }
                else if (GetUnsupportedValueReason(p.Type) is not null)
                {
                    return null;
                }
                else if (p.IsParams)
                {
                    if (p.Type is not IArrayTypeSymbol { Rank: 1 } array)
                    {
                        return null;
                    }

                    parameters.Add(new ProxyParameterSpec(p.Name, p.Type.ToDisplayString(TypeFormat), ParameterKind.ParamArray,
                        array.ElementType.WithNullableAnnotation(array.ElementNullableAnnotation).ToDisplayString(TypeFormat)));
                }
                else
                {
                    parameters.Add(new ProxyParameterSpec(p.Name, p.Type.ToDisplayString(TypeFormat), ParameterKind.Wire, null));
                }
            }

            return new ProxyMethodSpec(
                InterfaceTypeName: interfaceName,
                ClrName: method.Name,
                RpcName: rpcName,
                OneWay: oneWay,
                ReturnKind: returns.Value.kind,
                ReturnTypeName: method.ReturnType.ToDisplayString(TypeFormat),
                ResultTypeName: returns.Value.resultType,
                Parameters: parameters.ToImmutableEquatableArray());
        }
    }
}
