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

partial class RpcGenerator
{
    /// <summary>
    /// Turns symbols into specs. The only part of the generator that touches <see cref="ISymbol"/>; nothing it
    /// returns holds a symbol, syntax node, location or compilation. Input the generator cannot serve is skipped
    /// (returns null, or leaves the member out); the TinyRpc analyzers report it.
    /// </summary>
    internal static partial class Parser
    {
        /// <summary>
        /// A <c>[Public]</c> method found for a service class: <paramref name="Method"/> is the class's method (or
        /// explicit implementation), <paramref name="PublicDeclaration"/> the method that carries <c>[Public]</c>
        /// (the same, a method it overrides, or an interface method), <paramref name="Spec"/> null when the generator
        /// cannot serve it, <paramref name="Policy"/> the naming policy its name and parameter names follow.
        /// </summary>
        internal sealed record ServiceMethod(IMethodSymbol Method, IMethodSymbol PublicDeclaration, AttributeData PublicAttribute, string RpcName, MethodSpec? Spec,
            RpcNamingPolicyValue Policy);

        /// <summary>Types with <c>global::</c> and nullable reference annotations, as declarations need them.</summary>
        internal static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>Types with <c>global::</c> and no reference annotations, as <c>typeof</c> needs them.</summary>
        internal static readonly SymbolDisplayFormat TypeOfFormat = SymbolDisplayFormat.FullyQualifiedFormat;

        // ---- [RpcService] classes -------------------------------------------------------------------

        public static ServiceSpec? ParseService(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
            => context.TargetSymbol is INamedTypeSymbol type
                ? ParseService(type, context.Attributes[0], context.SemanticModel.Compilation, cancellationToken)
                : null;

        public static ServiceSpec? ParseService(INamedTypeSymbol type, AttributeData serviceAttribute, Compilation compilation, CancellationToken cancellationToken)
        {
            if (GetServiceClassProblem(type, cancellationToken) is not null)
            {
                return null;
            }

            // Only members the generator can serve, under names no other member shares: an invalid or duplicate
            // member gets no code at all (the analyzers report it).
            List<ServiceMethod> candidates = CollectServiceMethods(type, serviceAttribute, compilation, cancellationToken);
            HashSet<string> duplicates = DuplicateNames(candidates.Select(static c => c.RpcName));
            MethodSpec[] methods = candidates
                .Where(c => c.Spec is not null && !duplicates.Contains(c.RpcName))
                .Select(static c => c.Spec!)
                .OrderBy(static m => m.RpcName, StringComparer.Ordinal)
                .ToArray();

            return new ServiceSpec(
                HintName: HintName(type),
                Namespace: NamespaceOf(type),
                ContainingTypes: ContainingTypes(type),
                Keyword: type.IsRecord ? "record" : "class",
                Name: type.Name,
                FullTypeName: type.ToDisplayString(TypeOfFormat),
                Registration: RegistrationSiteOf(type),
                Methods: methods.ToImmutableEquatableArray());
        }

        /// <summary>
        /// Why no dispatch table can be generated for the <c>[RpcService]</c> type, or null when one can. Not a
        /// class, not partial (with every containing type), static, generic, file-local, or already declaring an
        /// <c>RpcTable</c>.
        /// </summary>
        internal static string? GetServiceClassProblem(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            if (type.TypeKind != TypeKind.Class)
            {
                return "only classes and interfaces can be an [RpcService]";
            }

            if (type.IsStatic)
            {
                return "a static class cannot be an [RpcService]; make the class non-static";
            }

            if (type.IsFileLocal)
            {
                return "a file-local class cannot be an [RpcService]; remove the 'file' modifier";
            }

            if (!IsPartialChain(type, cancellationToken))
            {
                return "the class and every class containing it must be 'partial'";
            }

            if (IsGenericChain(type))
            {
                return "a generic class (or a class nested in one) cannot be an [RpcService]";
            }

            // The analyzers see the generated table too; only a member of the user's own is in the way.
            return type.GetMembers("RpcTable").Any(static m => !IsGeneratedHere(m))
                ? "the class already declares a member named 'RpcTable', which the generated table needs"
                : null;
        }

        /// <summary>True when <paramref name="symbol"/> carries this generator's <c>[GeneratedCode]</c>.</summary>
        private static bool IsGeneratedHere(ISymbol symbol)
            => symbol.GetAttributes().Any(static a => a.AttributeClass is { } c
                && MetadataName(c) == "System.CodeDom.Compiler.GeneratedCodeAttribute"
                && a.ConstructorArguments.Length > 0
                && a.ConstructorArguments[0].Value as string == KnownNames.GeneratorName);

        /// <summary>Every name that occurs more than once, compared ordinally.</summary>
        internal static HashSet<string> DuplicateNames(IEnumerable<string> names)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in names)
            {
                if (!seen.Add(name))
                {
                    duplicates.Add(name);
                }
            }

            return duplicates;
        }

        /// <summary>
        /// The <c>[Public]</c> methods of a service class, its base classes and implemented interfaces, each with
        /// its RPC name and its spec (null when the generator cannot serve it). The one enumeration used by the
        /// generator and the analyzers.
        /// </summary>
        internal static List<ServiceMethod> CollectServiceMethods(INamedTypeSymbol type, AttributeData serviceAttribute, Compilation compilation, CancellationToken cancellationToken)
        {
            (RpcNamingPolicyValue policy, bool trimAsync) = ReadServiceSettings(serviceAttribute);
            var methods = new List<ServiceMethod>();
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
                    MethodSpec? spec = RpcNames.IsValidName(rpcName)
                        ? TryParseMethod(method, method.Name, rpcName, call, callType, policy, cancellationToken)
                        : null;
                    methods.Add(new ServiceMethod(method, method, publicAttribute, rpcName, spec, policy));
                    exposed.Add(method);
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
                    MethodSpec? spec = !RpcNames.IsValidName(rpcName) ? null
                        : isExplicit
                        ? TryParseMethod(contractMethod, contractMethod.Name, rpcName, CallKind.ExplicitInterface, contract.ToDisplayString(TypeOfFormat), p, cancellationToken)
                        : TryParseMethod(implementation, implementation.Name, rpcName, CallKind.Instance, null, p, cancellationToken, contractMethod);
                    methods.Add(new ServiceMethod(implementation, contractMethod, publicAttribute, rpcName, spec, p));
                    exposed.Add(implementation);
                }
            }

            return methods;
        }

        /// <summary>
        /// The spec of a served method, or null when the generator cannot serve it. Parameter wire names follow
        /// <paramref name="policy"/> and <c>[RpcName]</c>, also read from <paramref name="contract"/>'s parameters (the
        /// interface method a class method implements) when the method's own parameter has none; when two of them are
        /// equal or one is invalid the method is not served, unless <paramref name="checkParameterNames"/> is false.
        /// </summary>
        internal static MethodSpec? TryParseMethod(IMethodSymbol method, string clrName, string rpcName, CallKind call, string? callType,
            RpcNamingPolicyValue policy, CancellationToken cancellationToken, IMethodSymbol? contract = null, bool checkParameterNames = true)
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

            ImmutableEquatableArray<ParameterSpec>? parameters = TryParseParameters(method.Parameters, policy, cancellationToken, contract);
            if (parameters is null || checkParameterNames && GetParameterNameProblems(method, policy, contract).Count > 0)
            {
                return null;
            }

            return new MethodSpec(clrName, rpcName, call, callType, returns.Value.returnKind, returns.Value.resultType, parameters);
        }

        /// <summary>
        /// The specs of <paramref name="symbols"/>, each named by its wire name (see <see cref="GetParameterWireName"/>),
        /// or null when one cannot be decoded. Wire names are not checked here (see <see cref="GetParameterNameProblems"/>).
        /// </summary>
        internal static ImmutableEquatableArray<ParameterSpec>? TryParseParameters(IEnumerable<IParameterSymbol> symbols, RpcNamingPolicyValue policy,
            CancellationToken cancellationToken, IMethodSymbol? contract = null)
        {
            var parameters = new List<ParameterSpec>();
            bool hasCancellationToken = false;
            bool hasCallContext = false;
            bool hasProgress = false;
            foreach (IParameterSymbol p in symbols)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string wireName = GetParameterWireName(p, policy, contract);

                // ref/out/in parameters and types that cannot be a generic argument or cannot travel are not supported.
                if (p.RefKind != RefKind.None || !IsDecodable(p.Type))
                {
                    return null;
                }

                if (ProgressElement(p.Type) is { } progressElement)
                {
                    // One progress per call: its reports must all be sent before the reply.
                    if (hasProgress || !IsDecodable(progressElement) || GetUnsupportedValueReason(progressElement) is not null)
                    {
                        return null;
                    }

                    hasProgress = true;
                    parameters.Add(new ParameterSpec(wireName, ParameterKind.Progress, p.Type.ToDisplayString(TypeFormat),
                        p.Type.ToDisplayString(TypeOfFormat), false, null, false, progressElement.ToDisplayString(TypeFormat), false));
                    continue;
                }

                if (IsRpcConnection(p.Type))
                {
                    // Rejects null when the parameter is not nullable: the invoker then refuses a request without one.
                    parameters.Add(new ParameterSpec(wireName, ParameterKind.Connection, p.Type.ToDisplayString(TypeFormat),
                        p.Type.ToDisplayString(TypeOfFormat), false, null, p.NullableAnnotation != NullableAnnotation.Annotated, null, false));
                    continue;
                }

                if (IsRpcCallContext(p.Type))
                {
                    // One context is made per call; a second parameter would only be the same object again.
                    if (hasCallContext)
                    {
                        return null;
                    }

                    hasCallContext = true;
                    parameters.Add(new ParameterSpec(wireName, ParameterKind.CallContext, p.Type.ToDisplayString(TypeFormat),
                        p.Type.ToDisplayString(TypeOfFormat), false, null, false, null, false));
                    continue;
                }

                if (IsCancellationToken(p.Type))
                {
                    // The request has one token to give.
                    if (hasCancellationToken)
                    {
                        return null;
                    }

                    hasCancellationToken = true;
                    parameters.Add(new ParameterSpec(wireName, ParameterKind.CancellationToken, p.Type.ToDisplayString(TypeFormat),
                        p.Type.ToDisplayString(TypeOfFormat), false, null, false, null, false));
                    continue;
                }

                if (GetUnsupportedValueReason(p.Type) is not null)
                {
                    return null;
                }

                bool rejectsNull = RejectsNull(p.Type, p.NullableAnnotation);
                if (p.IsParams)
                {
                    // Only params T[]; params collections (C# 13) are not supported.
                    if (p.Type is not IArrayTypeSymbol { Rank: 1 } array || !IsDecodable(array.ElementType) || array.ElementType is IArrayTypeSymbol)
                    {
                        return null;
                    }

                    parameters.Add(new ParameterSpec(wireName, ParameterKind.ParamArray, p.Type.ToDisplayString(TypeFormat),
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

                parameters.Add(new ParameterSpec(wireName, ParameterKind.Wire, p.Type.ToDisplayString(TypeFormat),
                    p.Type.ToDisplayString(TypeOfFormat), p.IsOptional, defaultValue, rejectsNull, null, false));
            }

            return parameters.ToImmutableEquatableArray();
        }

        /// <summary>
        /// The name under which a by-name argument for <paramref name="parameter"/> is read: its <c>[RpcName]</c>,
        /// else that of the same parameter of the methods it overrides, else that of <paramref name="contract"/>'s,
        /// else its C# name with <paramref name="policy"/> applied (<see cref="RpcNames.GetParameterName"/>).
        /// </summary>
        internal static string GetParameterWireName(IParameterSymbol parameter, RpcNamingPolicyValue policy, IMethodSymbol? contract)
        {
            // Attributes on parameters are not inherited by overrides and implementations; [Public] is, and the
            // wire name goes with it.
            string? explicitName = ReadRpcName(parameter);
            for (IMethodSymbol? m = (parameter.ContainingSymbol as IMethodSymbol)?.OverriddenMethod; explicitName is null && m is not null; m = m.OverriddenMethod)
            {
                explicitName = parameter.Ordinal < m.Parameters.Length ? ReadRpcName(m.Parameters[parameter.Ordinal]) : null;
            }

            if (explicitName is null && contract is not null && parameter.Ordinal < contract.Parameters.Length)
            {
                explicitName = ReadRpcName(contract.Parameters[parameter.Ordinal]);
            }

            return RpcNames.GetParameterName(parameter.Name, explicitName, policy);
        }

        private static string? ReadRpcName(IParameterSymbol parameter)
            => FindAttribute(parameter, KnownNames.RpcNameAttribute) is { ConstructorArguments: { Length: 1 } arguments } && arguments[0].Value is string name
                ? name
                : null;

        /// <summary>
        /// Each parameter of <paramref name="method"/> (but a CancellationToken, which is not sent) whose wire name is
        /// invalid or shared with an earlier parameter, with that name and why. Empty when a by-name call can reach
        /// every parameter under a name of its own.
        /// </summary>
        internal static List<(IParameterSymbol Parameter, string WireName, string Problem)> GetParameterNameProblems(IMethodSymbol method, RpcNamingPolicyValue policy,
            IMethodSymbol? contract = null)
        {
            var problems = new List<(IParameterSymbol, string, string)>();
            var seen = new Dictionary<string, IParameterSymbol>(StringComparer.Ordinal);
            foreach (IParameterSymbol p in method.Parameters)
            {
                if (IsSuppliedByServer(p.Type))
                {
                    continue;
                }

                string wireName = GetParameterWireName(p, policy, contract);
                if (RpcNames.GetParameterNameProblem(wireName) is { } problem)
                {
                    problems.Add((p, wireName, "is not a valid name: " + problem));
                }
                else if (seen.TryGetValue(wireName, out IParameterSymbol? first))
                {
                    problems.Add((p, wireName, $"is also the wire name of parameter '{first.Name}'"));
                }
                else
                {
                    seen.Add(wireName, p);
                }
            }

            return problems;
        }

        private static bool RejectsNull(ITypeSymbol type, NullableAnnotation annotation)
            => type.IsReferenceType && annotation == NullableAnnotation.NotAnnotated;

        /// <summary>
        /// True when a value of <paramref name="type"/> can be a parameter or result: it can be a generic argument
        /// and a protocol can carry it (see <see cref="GetUnsupportedTypeReason"/>).
        /// </summary>
        internal static bool IsDecodable(ITypeSymbol type)
            => !type.IsRefLikeType
               && type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Dynamic or TypeKind.Error)
               && type.SpecialType != SpecialType.System_Void
               && !(type is ITypeParameterSymbol)
               && GetUnsupportedTypeReason(type) is null;

        /// <summary>
        /// Why no protocol can carry a value of <paramref name="type"/>, or null when one can: pointers, ref structs
        /// (<c>Span&lt;T&gt;</c>), delegates, streams, <c>System.Type</c>, native integers, tasks and cancellation
        /// tokens as values, and arrays of any of these.
        /// </summary>
        internal static string? GetUnsupportedTypeReason(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol array)
            {
                return GetUnsupportedTypeReason(array.ElementType);
            }

            if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
            {
                return "pointers cannot be sent";
            }

            if (type.IsRefLikeType)
            {
                return "ref structs such as Span<T> cannot be sent; use an array";
            }

            if (type.TypeKind == TypeKind.Delegate || type.SpecialType is SpecialType.System_Delegate or SpecialType.System_MulticastDelegate)
            {
                return "delegates cannot be sent";
            }

            if (type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr)
            {
                return "native integers cannot be sent; use long or ulong";
            }

            for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                switch (MetadataName(t))
                {
                    case "System.IO.Stream":
                        return "streams cannot be sent; use byte[]";
                    case "System.Type":
                        return "types cannot be sent";
                }
            }

            return null;
        }

        /// <summary>
        /// Why a value (an argument, or a result inside its task) cannot be of <paramref name="type"/>: the reasons
        /// of <see cref="GetUnsupportedTypeReason"/>, and tasks and cancellation tokens, which are not data.
        /// </summary>
        internal static string? GetUnsupportedValueReason(ITypeSymbol type)
        {
            if (GetUnsupportedTypeReason(type) is { } reason)
            {
                return reason;
            }

            ITypeSymbol element = type is IArrayTypeSymbol array ? array.ElementType : type;
            return element is INamedTypeSymbol named
                   && MetadataName(named.OriginalDefinition) is KnownNames.Task or KnownNames.TaskOfT or KnownNames.ValueTask or KnownNames.ValueTaskOfT or KnownNames.CancellationToken
                ? "a task or cancellation token is not a value that can be sent"
                : null;
        }

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
                    case KnownNames.AsyncEnumerableOfT:
                        ITypeSymbol item = named.TypeArguments[0];
                        if (!IsDecodable(item) || GetUnsupportedValueReason(item) is not null)
                        {
                            return null;
                        }

                        return (ReturnKind.AsyncEnumerable, WithAnnotation(item, named.TypeArgumentNullableAnnotations[0]));
                    case KnownNames.TaskOfT:
                    case KnownNames.ValueTaskOfT:
                        ITypeSymbol result = named.TypeArguments[0];
                        if (!IsDecodable(result) || GetUnsupportedValueReason(result) is not null)
                        {
                            return null;
                        }

                        return (name == KnownNames.TaskOfT ? ReturnKind.TaskOfT : ReturnKind.ValueTaskOfT, WithAnnotation(result, named.TypeArgumentNullableAnnotations[0]));
                }
            }

            if (GetUnsupportedValueReason(type) is not null)
            {
                return null;
            }

            return (ReturnKind.Value, type.ToDisplayString(TypeFormat));
        }

        private static string WithAnnotation(ITypeSymbol type, NullableAnnotation annotation)
            => type.WithNullableAnnotation(annotation).ToDisplayString(TypeFormat);

        internal static bool IsCancellationToken(ITypeSymbol type) => MetadataName(type) == KnownNames.CancellationToken;

        internal static bool IsRpcConnection(ITypeSymbol type) => MetadataName(type) == KnownNames.RpcConnection;

        internal static bool IsRpcCallContext(ITypeSymbol type) => MetadataName(type) == KnownNames.RpcCallContext;

        /// <summary>The <c>T</c> of an <c>IProgress&lt;T&gt;</c> (with its nullable annotation), else null.</summary>
        internal static ITypeSymbol? ProgressElement(ITypeSymbol type)
            => type is INamedTypeSymbol { IsGenericType: true } named && MetadataName(named.OriginalDefinition) == KnownNames.ProgressOfT
                ? named.TypeArguments[0].WithNullableAnnotation(named.TypeArgumentNullableAnnotations[0])
                : null;

        /// <summary>
        /// A parameter the server supplies (a cancellation token, the connection, the call context, a progress whose
        /// place holds only a token), not read from the request as a value.
        /// </summary>
        internal static bool IsSuppliedByServer(ITypeSymbol type)
            => IsCancellationToken(type) || IsRpcConnection(type) || IsRpcCallContext(type) || ProgressElement(type) is not null;

        internal static string MetadataName(ITypeSymbol type)
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

        internal static (RpcNamingPolicyValue Policy, bool TrimAsync) ReadServiceSettings(AttributeData attribute)
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

        internal static string? ReadPublicName(AttributeData attribute)
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
