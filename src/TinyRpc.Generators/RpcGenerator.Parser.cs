using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;
using TinyRpc.Shared;

namespace TinyRpc.Generators;

public sealed partial class RpcGenerator
{
    /// <summary>
    /// Turns symbols into specs. The only part of the generator that touches <see cref="ISymbol"/>; nothing it
    /// returns holds a symbol, syntax node, location or compilation. Input the generator cannot serve is skipped
    /// (returns null, or leaves the member out); the TinyRpc analyzers report it.
    /// </summary>
    internal static partial class Parser
    {
        /// <summary>Types with <c>global::</c> and nullable reference annotations, as declarations need them.</summary>
        internal static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>Types with <c>global::</c> and no reference annotations, as <c>typeof</c> needs them.</summary>
        internal static readonly SymbolDisplayFormat TypeOfFormat = SymbolDisplayFormat.FullyQualifiedFormat;

        // ---- [RpcService] classes -------------------------------------------------------------------

        public static ServiceSpec? ParseService(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || type.TypeKind != TypeKind.Class)
            {
                return null;
            }

            // Not partial, static, generic (no closed table to register), file-local (cannot be re-opened)
            // or already carrying an RpcTable: reported by the analyzers.
            if (type.IsStatic || type.IsFileLocal || !IsPartialChain(type, cancellationToken) || IsGenericChain(type)
                || type.GetMembers("RpcTable").Length > 0)
            {
                return null;
            }

            (RpcNamingPolicyValue policy, bool trimAsync) = ReadServiceSettings(context.Attributes[0]);
            Compilation compilation = context.SemanticModel.Compilation;
            var methods = new List<MethodSpec>();
            var exposed = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            var overridden = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);

            // Methods marked [Public] on the class and its base classes (the attribute is inherited by overrides).
            for (INamedTypeSymbol? current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
            {
                foreach (ISymbol member in current.GetMembers())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                    {
                        continue;
                    }

                    if (overridden.Contains(method.OriginalDefinition))
                    {
                        continue;
                    }

                    for (IMethodSymbol? m = method.OverriddenMethod; m is not null; m = m.OverriddenMethod)
                    {
                        overridden.Add(m.OriginalDefinition);
                    }

                    if (!ReferenceEquals(current, type) && !compilation.IsSymbolAccessibleWithin(method, type))
                    {
                        continue;
                    }

                    AttributeData? publicAttribute = FindPublicAttribute(method);
                    if (publicAttribute is null)
                    {
                        continue;
                    }

                    string rpcName = RpcNames.GetRpcName(method.Name, ReadPublicName(publicAttribute), policy, trimAsync);
                    CallKind call = method.IsStatic ? CallKind.Static : CallKind.Instance;
                    string? callType = method.IsStatic ? method.ContainingType.ToDisplayString(TypeOfFormat) : null;
                    if (TryParseMethod(method, method.Name, rpcName, call, callType, cancellationToken) is { } spec)
                    {
                        methods.Add(spec);
                        exposed.Add(method);
                    }
                }
            }

            // Methods marked [Public] on an implemented interface. The class's own [Public] wins; names follow the
            // interface's [RpcService] settings when it has them, so that its proxy and this table agree.
            foreach (INamedTypeSymbol contract in type.AllInterfaces)
            {
                (RpcNamingPolicyValue policy, bool trimAsync)? contractSettings = FindAttribute(contract, KnownNames.RpcServiceAttribute) is { } a
                    ? ReadServiceSettings(a)
                    : null;
                foreach (ISymbol member in contract.GetMembers())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false } contractMethod
                        || FindAttribute(contractMethod, KnownNames.PublicAttribute) is not { } publicAttribute
                        || type.FindImplementationForInterfaceMember(contractMethod) is not IMethodSymbol implementation
                        || exposed.Contains(implementation)
                        || !compilation.IsSymbolAccessibleWithin(implementation, type) && implementation.MethodKind != MethodKind.ExplicitInterfaceImplementation)
                    {
                        continue;
                    }

                    (RpcNamingPolicyValue p, bool t) = contractSettings ?? (policy, trimAsync);
                    string rpcName = RpcNames.GetRpcName(contractMethod.Name, ReadPublicName(publicAttribute), p, t);
                    bool isExplicit = implementation.MethodKind == MethodKind.ExplicitInterfaceImplementation;
                    MethodSpec? spec = isExplicit
                        ? TryParseMethod(contractMethod, contractMethod.Name, rpcName, CallKind.ExplicitInterface, contract.ToDisplayString(TypeOfFormat), cancellationToken)
                        : TryParseMethod(implementation, implementation.Name, rpcName, CallKind.Instance, null, cancellationToken);
                    if (spec is not null)
                    {
                        methods.Add(spec);
                        exposed.Add(implementation);
                    }
                }
            }

            // Ordinal order by RPC name; a duplicate name (reported by the analyzers) keeps its first method.
            var unique = new List<MethodSpec>();
            foreach (MethodSpec spec in methods.OrderBy(static m => m.RpcName, StringComparer.Ordinal).ThenBy(static m => m.ClrName, StringComparer.Ordinal))
            {
                if (unique.Count == 0 || !string.Equals(unique[unique.Count - 1].RpcName, spec.RpcName, StringComparison.Ordinal))
                {
                    unique.Add(spec);
                }
            }

            return new ServiceSpec(
                HintName: HintName(type),
                Namespace: NamespaceOf(type),
                ContainingTypes: ContainingTypes(type),
                Keyword: type.IsRecord ? "record" : "class",
                Name: type.Name,
                FullTypeName: type.ToDisplayString(TypeOfFormat),
                Registration: RegistrationSiteOf(type),
                Methods: unique.ToImmutableEquatableArray());
        }

        private static MethodSpec? TryParseMethod(IMethodSymbol method, string clrName, string rpcName, CallKind call, string? callType, CancellationToken cancellationToken)
        {
            // Generic methods and ref returns cannot be called from a table (reported by the analyzers).
            if (method.IsGenericMethod || method.ReturnsByRef || method.ReturnsByRefReadonly)
            {
                return null;
            }

            (ReturnKind returnKind, string? resultType)? returns = ClassifyReturn(method.ReturnType);
            if (returns is null)
            {
                return null;
            }

            ImmutableEquatableArray<ParameterSpec>? parameters = TryParseParameters(method.Parameters, cancellationToken);
            if (parameters is null)
            {
                return null;
            }

            return new MethodSpec(clrName, rpcName, call, callType, returns.Value.returnKind, returns.Value.resultType, parameters);
        }

        internal static ImmutableEquatableArray<ParameterSpec>? TryParseParameters(IEnumerable<IParameterSymbol> symbols, CancellationToken cancellationToken)
        {
            var parameters = new List<ParameterSpec>();
            foreach (IParameterSymbol p in symbols)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // ref/out/in parameters and types that cannot be a generic argument are not supported.
                if (p.RefKind != RefKind.None || !IsDecodable(p.Type))
                {
                    return null;
                }

                if (IsCancellationToken(p.Type))
                {
                    parameters.Add(new ParameterSpec(p.Name, ParameterKind.CancellationToken, p.Type.ToDisplayString(TypeFormat),
                        p.Type.ToDisplayString(TypeOfFormat), false, null, false, null, false));
                    continue;
                }

                bool rejectsNull = RejectsNull(p.Type, p.NullableAnnotation);
                if (p.IsParams)
                {
                    // Only params T[]; params collections (C# 13) are not supported.
                    if (p.Type is not IArrayTypeSymbol { Rank: 1 } array || !IsDecodable(array.ElementType) || array.ElementType is IArrayTypeSymbol)
                    {
                        return null;
                    }

                    parameters.Add(new ParameterSpec(p.Name, ParameterKind.ParamArray, p.Type.ToDisplayString(TypeFormat),
                        p.Type.ToDisplayString(TypeOfFormat), false, null, rejectsNull,
                        array.ElementType.ToDisplayString(TypeFormat), RejectsNull(array.ElementType, array.ElementNullableAnnotation)));
                    continue;
                }

                string? defaultValue = null;
                if (p.IsOptional)
                {
                    defaultValue = p.HasExplicitDefaultValue ? FormatDefaultValue(p.Type, p.ExplicitDefaultValue) : "default!";
                    if (defaultValue is null)
                    {
                        return null;
                    }
                }

                parameters.Add(new ParameterSpec(p.Name, ParameterKind.Wire, p.Type.ToDisplayString(TypeFormat),
                    p.Type.ToDisplayString(TypeOfFormat), p.IsOptional, defaultValue, rejectsNull, null, false));
            }

            return parameters.ToImmutableEquatableArray();
        }

        private static bool RejectsNull(ITypeSymbol type, NullableAnnotation annotation)
            => type.IsReferenceType && annotation == NullableAnnotation.NotAnnotated;

        private static bool IsDecodable(ITypeSymbol type)
            => !type.IsRefLikeType
               && type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Dynamic or TypeKind.Error)
               && type.SpecialType != SpecialType.System_Void
               && !(type is ITypeParameterSymbol);

        internal static (ReturnKind Kind, string? ResultType)? ClassifyReturn(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_Void)
            {
                return (ReturnKind.Void, null);
            }

            if (!IsDecodable(type))
            {
                return null;
            }

            if (type is INamedTypeSymbol named)
            {
                string name = MetadataName(named.OriginalDefinition);
                switch (name)
                {
                    case KnownNames.Task:
                        return (ReturnKind.Task, null);
                    case KnownNames.ValueTask:
                        return (ReturnKind.ValueTask, null);
                    case KnownNames.TaskOfT:
                    case KnownNames.ValueTaskOfT:
                        ITypeSymbol result = named.TypeArguments[0];
                        if (!IsDecodable(result))
                        {
                            return null;
                        }

                        return (name == KnownNames.TaskOfT ? ReturnKind.TaskOfT : ReturnKind.ValueTaskOfT, WithAnnotation(result, named.TypeArgumentNullableAnnotations[0]));
                }
            }

            return (ReturnKind.Value, type.ToDisplayString(TypeFormat));
        }

        private static string WithAnnotation(ITypeSymbol type, NullableAnnotation annotation)
            => type.WithNullableAnnotation(annotation).ToDisplayString(TypeFormat);

        internal static bool IsCancellationToken(ITypeSymbol type) => MetadataName(type) == KnownNames.CancellationToken;

        private static string MetadataName(ITypeSymbol type)
        {
            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
            return type.ContainingType is null ? ns + type.MetadataName : "";
        }

        /// <summary>A C# expression for a parameter's default value, or null when none can be written.</summary>
        internal static string? FormatDefaultValue(ITypeSymbol type, object? value)
        {
            ITypeSymbol target = type;
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                if (value is null)
                {
                    return "null";
                }

                target = nullable.TypeArguments[0];
            }

            if (value is null)
            {
                return type.IsValueType ? "default" : "null";
            }

            if (target.TypeKind == TypeKind.Enum)
            {
                string? underlying = FormatPrimitive(value);
                return underlying is null ? null : "(" + target.ToDisplayString(TypeOfFormat) + ")(" + underlying + ")";
            }

            return FormatPrimitive(value);
        }

        private static string? FormatPrimitive(object value) => value switch
        {
            bool b => b ? "true" : "false",
            string s => SymbolDisplay.FormatLiteral(s, quote: true),
            char c => SymbolDisplay.FormatLiteral(c, quote: true),
            int i => i.ToString(CultureInfo.InvariantCulture),
            uint u => u.ToString(CultureInfo.InvariantCulture) + "U",
            long l => l.ToString(CultureInfo.InvariantCulture) + "L",
            ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
            short s16 => "(short)" + s16.ToString(CultureInfo.InvariantCulture),
            ushort u16 => "(ushort)" + u16.ToString(CultureInfo.InvariantCulture),
            byte u8 => "(byte)" + u8.ToString(CultureInfo.InvariantCulture),
            sbyte s8 => "(sbyte)" + s8.ToString(CultureInfo.InvariantCulture),
            float f => float.IsNaN(f) ? "float.NaN" : float.IsPositiveInfinity(f) ? "float.PositiveInfinity" : float.IsNegativeInfinity(f) ? "float.NegativeInfinity" : f.ToString("R", CultureInfo.InvariantCulture) + "F",
            double d => double.IsNaN(d) ? "double.NaN" : double.IsPositiveInfinity(d) ? "double.PositiveInfinity" : double.IsNegativeInfinity(d) ? "double.NegativeInfinity" : d.ToString("R", CultureInfo.InvariantCulture) + "D",
            decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
            _ => null,
        };

        // ---- attributes and names -------------------------------------------------------------------

        private static (RpcNamingPolicyValue Policy, bool TrimAsync) ReadServiceSettings(AttributeData attribute)
        {
            var policy = RpcNamingPolicyValue.AsWritten;
            bool trim = false;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                switch (argument.Key)
                {
                    case "NamingPolicy" when argument.Value.Value is int value:
                        policy = (RpcNamingPolicyValue)value;
                        break;
                    case "TrimAsyncSuffix" when argument.Value.Value is bool value:
                        trim = value;
                        break;
                }
            }

            return (policy, trim);
        }

        private static string? ReadPublicName(AttributeData attribute)
            => attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;

        /// <summary>[Public] on the method or on a method it overrides (the attribute is inherited).</summary>
        private static AttributeData? FindPublicAttribute(IMethodSymbol method)
        {
            for (IMethodSymbol? m = method; m is not null; m = m.OverriddenMethod)
            {
                if (FindAttribute(m, KnownNames.PublicAttribute) is { } attribute)
                {
                    return attribute;
                }
            }

            return null;
        }

        internal static AttributeData? FindAttribute(ISymbol symbol, string metadataName)
        {
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass is { } c && MetadataName(c) == metadataName)
                {
                    return attribute;
                }
            }

            return null;
        }

        // ---- types ------------------------------------------------------------------------------------

        private static bool IsPartialChain(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                foreach (SyntaxReference reference in t.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration
                        || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private static bool IsGenericChain(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.TypeParameters.Length > 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>True when the type and every type containing it are public or internal.</summary>
        private static bool IsModuleAccessible(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// A module initializer must be reachable at module level: in the class when it is, else in its
        /// containing type (which sees its private nested types), else nowhere (generic registration still works).
        /// </summary>
        private static RegistrationSite RegistrationSiteOf(INamedTypeSymbol type)
            => IsModuleAccessible(type) ? RegistrationSite.Service
                : type.ContainingType is { } container && IsModuleAccessible(container) ? RegistrationSite.ContainingType
                : RegistrationSite.None;

        private static bool IsPublicChain(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.DeclaredAccessibility != Accessibility.Public)
                {
                    return false;
                }
            }

            return true;
        }

        private static string? NamespaceOf(INamedTypeSymbol type)
            => type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null;

        private static ImmutableEquatableArray<ContainingTypeSpec> ContainingTypes(INamedTypeSymbol type)
        {
            var chain = new List<ContainingTypeSpec>();
            for (INamedTypeSymbol? t = type.ContainingType; t is not null; t = t.ContainingType)
            {
                string keyword = t.TypeKind switch
                {
                    TypeKind.Interface => "interface",
                    TypeKind.Struct => t.IsRecord ? "record struct" : "struct",
                    _ => t.IsRecord ? "record" : "class",
                };
                chain.Insert(0, new ContainingTypeSpec(keyword, t.Name));
            }

            return chain.ToImmutableEquatableArray();
        }

        /// <summary>The full metadata name made file-name safe: <c>Demo.Outer+Calc</c> gives <c>Demo.Outer.Calc.g.cs</c>.</summary>
        private static string HintName(INamedTypeSymbol type)
        {
            var parts = new List<string>();
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                parts.Insert(0, t.MetadataName);
            }

            if (NamespaceOf(type) is { } ns)
            {
                parts.Insert(0, ns);
            }

            return string.Join(".", parts).Replace('`', '_') + ".g.cs";
        }
    }
}
