using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;
using TinyRpc.Shared;

namespace TinyRpc.Generators;

public sealed partial class RpcGenerator
{
    internal static partial class Parser
    {
        // ---- [RpcService] interfaces ----------------------------------------------------------------

        public static ProxySpec? ParseProxy(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            // A proxy must implement every abstract member, so an interface with a member the proxy cannot
            // implement (generic, static abstract, property, event, ref/out) gets no proxy at all; so does one
            // that is generic or not visible at namespace level. All reported by the analyzers.
            if (context.TargetSymbol is not INamedTypeSymbol { TypeKind: TypeKind.Interface } contract
                || contract.IsFileLocal || IsGenericChain(contract) || !IsModuleAccessible(contract))
            {
                return null;
            }

            (RpcNamingPolicyValue policy, bool trimAsync) = ReadServiceSettings(context.Attributes[0]);
            var methods = new List<ProxyMethodSpec>();
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

                    if (member.IsStatic || member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method
                        || method.IsGenericMethod || method.ReturnsByRef || method.ReturnsByRefReadonly)
                    {
                        return null;
                    }

                    ProxyMethodSpec? spec = TryParseProxyMethod(method, interfaceName, settings.policy, settings.trimAsync);
                    if (spec is null)
                    {
                        return null;
                    }

                    methods.Add(spec);
                }
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
                Methods: methods.ToImmutableEquatableArray());
        }

        private static ProxyMethodSpec? TryParseProxyMethod(IMethodSymbol method, string interfaceName, RpcNamingPolicyValue policy, bool trimAsync)
        {
            (ReturnKind kind, string? resultType)? returns = ClassifyReturn(method.ReturnType);
            if (returns is null)
            {
                return null;
            }

            var parameters = new List<ProxyParameterSpec>();
            foreach (IParameterSymbol p in method.Parameters)
            {
                if (p.RefKind != RefKind.None || !IsDecodable(p.Type))
                {
                    return null;
                }

                if (IsCancellationToken(p.Type))
                {
                    parameters.Add(new ProxyParameterSpec(p.Name, p.Type.ToDisplayString(TypeFormat), ParameterKind.CancellationToken, null));
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

            AttributeData? publicAttribute = FindAttribute(method, KnownNames.PublicAttribute);
            string rpcName = RpcNames.GetRpcName(method.Name, publicAttribute is null ? null : ReadPublicName(publicAttribute), policy, trimAsync);
            return new ProxyMethodSpec(
                InterfaceTypeName: interfaceName,
                ClrName: method.Name,
                RpcName: rpcName,
                OneWay: FindAttribute(method, KnownNames.OneWayAttribute) is not null,
                ReturnKind: returns.Value.kind,
                ReturnTypeName: method.ReturnType.ToDisplayString(TypeFormat),
                ResultTypeName: returns.Value.resultType,
                Parameters: parameters.ToImmutableEquatableArray());
        }
    }
}
