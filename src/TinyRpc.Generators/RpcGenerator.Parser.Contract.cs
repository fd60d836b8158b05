using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TinyRpc.Generators.Contract;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;
using TinyRpc.Shared;

namespace TinyRpc.Generators;

partial class RpcGenerator
{
    internal static partial class Parser
    {
        // ---- wire contracts (contract snapshots) -----------------------------------------------------

        /// <summary>
        /// A method of a wire contract with the symbols it came from: <paramref name="Method"/> is where it is
        /// declared in the service (for a class, the implementation), <paramref name="Parameters"/> its parameters
        /// that are sent, in the order of <see cref="ContractMethodSpec.Parameters"/>.
        /// </summary>
        internal sealed record ContractMethod(IMethodSymbol Method, ImmutableArray<IParameterSymbol> Parameters, ContractMethodSpec Spec);

        public static ContractServiceSpec? ParseContract(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
            => context.TargetSymbol is INamedTypeSymbol type
               && CollectContractMethods(type, context.Attributes[0], context.SemanticModel.Compilation, cancellationToken) is { } methods
                ? ToContractService(type, methods.Select(static m => m.Spec))
                : null;

        /// <summary>
        /// The methods a peer of the <c>[RpcService]</c> class or interface <paramref name="type"/> can call, as the
        /// generated table serves them or the generated proxy sends them; null when no code is generated for the type.
        /// Names are those of <see cref="CollectServiceMethods"/> and <see cref="CollectProxyMethods(INamedTypeSymbol, AttributeData, CancellationToken)"/>,
        /// so a snapshot compares exactly the names the dispatch tables use.
        /// </summary>
        internal static List<ContractMethod>? CollectContractMethods(INamedTypeSymbol type, AttributeData serviceAttribute, Compilation compilation, CancellationToken cancellationToken)
        {
            var methods = new List<ContractMethod>();
            if (type.TypeKind == TypeKind.Interface)
            {
                if (GetProxyInterfaceProblem(type) is not null
                    || CollectProxyMethods(type, serviceAttribute, cancellationToken) is not { } candidates)
                {
                    return null;
                }

                (RpcNamingPolicyValue policy, bool _) = ReadServiceSettings(serviceAttribute);
                foreach (ProxyMethod candidate in candidates)
                {
                    if (candidate.Spec is not { } spec)
                    {
                        continue;
                    }

                    // A base interface with [RpcService] of its own names parameters by its own policy, as its methods.
                    RpcNamingPolicyValue p = !SymbolEqualityComparer.Default.Equals(candidate.Method.ContainingType, type)
                        && FindAttribute(candidate.Method.ContainingType, KnownNames.RpcServiceAttribute) is { } own
                        ? ReadServiceSettings(own).Policy
                        : policy;
                    ImmutableArray<IParameterSymbol> sent = candidate.Method.Parameters.Where(static x => !IsSuppliedByServer(x.Type)).ToImmutableArray();
                    ContractParameterSpec[] parameters = sent
                        .Select(x => new ContractParameterSpec(GetParameterWireName(x, p, null), ContractTypeName(x.Type.ToDisplayString(TypeFormat)), x.IsOptional, x.IsParams))
                        .ToArray();
                    methods.Add(new ContractMethod(candidate.Method, sent,
                        new ContractMethodSpec(spec.RpcName, spec.OneWay, parameters.ToImmutableEquatableArray(), ContractResultName(spec.ResultTypeName))));
                }

                return methods;
            }

            if (GetServiceClassProblem(type, cancellationToken) is not null)
            {
                return null;
            }

            // What ParseService serves: valid members under names of their own.
            List<ServiceMethod> served = CollectServiceMethods(type, serviceAttribute, compilation, cancellationToken);
            HashSet<string> duplicates = DuplicateNames(served.Select(static c => c.RpcName));
            foreach (ServiceMethod method in served)
            {
                if (method.Spec is not { } spec || duplicates.Contains(method.RpcName))
                {
                    continue;
                }

                ImmutableArray<IParameterSymbol> sent = method.Method.Parameters.Where(static x => !IsSuppliedByServer(x.Type)).ToImmutableArray();
                ContractParameterSpec[] parameters = spec.Parameters
                    .Where(static x => x.Kind is not (ParameterKind.CancellationToken or ParameterKind.Connection or ParameterKind.CallContext or ParameterKind.Progress))
                    .Select(static x => new ContractParameterSpec(x.Name, ContractTypeName(x.TypeName), x.IsOptional, x.Kind == ParameterKind.ParamArray))
                    .ToArray();
                methods.Add(new ContractMethod(method.Method, sent,
                    new ContractMethodSpec(spec.RpcName, false, parameters.ToImmutableEquatableArray(), ContractResultName(spec.ResultTypeName))));
            }

            return methods;
        }

        /// <summary>The snapshot entry of <paramref name="type"/>: its methods in snapshot order, equal ones once.</summary>
        internal static ContractServiceSpec ToContractService(INamedTypeSymbol type, IEnumerable<ContractMethodSpec> methods)
            => new(ContractTypeName(type.ToDisplayString(TypeOfFormat)),
                methods.Distinct()
                    .OrderBy(static m => m.Name, StringComparer.Ordinal)
                    .ThenBy(static m => ContractJson.WriteMethod(m), StringComparer.Ordinal)
                    .ToImmutableEquatableArray());

        /// <summary>A type as a snapshot writes it: fully qualified, without the <c>global::</c> alias.</summary>
        internal static string ContractTypeName(string typeName) => typeName.Replace("global::", "");

        private static string? ContractResultName(string? typeName) => typeName is null ? null : ContractTypeName(typeName);
    }
}
