using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using TinyRpc.Generators;
using TinyRpc.Shared;
using Parser = TinyRpc.Generators.RpcGenerator.Parser;

namespace TinyRpc.Analyzers;

/// <summary>
/// Reports every RPC contract that the TinyRpc generator cannot serve or proxy as written. Decisions come from
/// the generator's own parser (linked into this assembly), so whatever the generator leaves out is reported here.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class RpcContractAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the name the rename fix proposes for a duplicate.</summary>
    public const string ProposedNameProperty = "ProposedName";

    /// <summary>The diagnostic property holding an invalid name with its reserved <c>rpc.</c> prefix removed.</summary>
    public const string NameWithoutPrefixProperty = "NameWithoutPrefix";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.DuplicateRpcName,
        Descriptors.PublicOutsideService,
        Descriptors.InaccessibleMethod,
        Descriptors.UnsupportedMethod,
        Descriptors.InvalidRpcName,
        Descriptors.UnsupportedType,
        Descriptors.EmptyService,
        Descriptors.OneWayWithResult,
        Descriptors.InvalidServiceType,
        Descriptors.InvalidParameterName);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.RpcServiceAttribute) is null
                || start.Compilation.GetTypeByMetadataName(KnownNames.PublicAttribute) is null)
            {
                return; // not a TinyRpc project
            }

            var state = new CompilationState(start.Compilation);
            start.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
            start.RegisterSymbolAction(c => AnalyzeMethod(c, state), SymbolKind.Method);
            start.RegisterOperationAction(AnalyzeAddMethod, OperationKind.Invocation);
        });
    }

    // ---- types ------------------------------------------------------------------------------------------

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (Parser.FindAttribute(type, KnownNames.RpcServiceAttribute) is not { } serviceAttribute)
        {
            return;
        }

        if (type.TypeKind == TypeKind.Interface)
        {
            AnalyzeProxyInterface(context, type, serviceAttribute);
            return;
        }

        if (Parser.GetServiceClassProblem(type, context.CancellationToken) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidServiceType, type.Locations[0], type.Name, problem));
            return;
        }

        ReportUnreachableBaseMethods(context, type);
        List<Parser.ServiceMethod> methods = Parser.CollectServiceMethods(type, serviceAttribute, context.Compilation, context.CancellationToken);
        if (methods.Count == 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.EmptyService, type.Locations[0], type.Name));
            return;
        }

        ReportDuplicates(context, type, methods.Select(m => (m.Method, m.RpcName)).ToList());
        bool[] nameProblems = methods.Select(m => ReportParameterNames(context, type, m)).ToArray();

        // Members whose [Public] lies outside this compilation's source are not seen by AnalyzeMethod.
        for (int i = 0; i < methods.Count; i++)
        {
            Parser.ServiceMethod method = methods[i];
            if (method.Spec is null && !nameProblems[i] && !IsInSource(method.PublicDeclaration, context.Compilation) && !HasErrorType(method.PublicDeclaration))
            {
                string reason = RpcNames.GetNameProblem(method.RpcName) ?? DescribeShapeProblem(method.PublicDeclaration, forProxy: false)
                    ?? "its signature is not supported";
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsupportedMethod, type.Locations[0], method.PublicDeclaration.ToDisplayString(), reason));
            }
        }
    }

    /// <summary>
    /// TRPC0011 on each parameter of <paramref name="method"/> whose wire name, under the policy the method's name
    /// follows in <paramref name="type"/>, is invalid or another parameter's; on the method or the service when the
    /// parameter is not in this compilation's source. True when anything was reported.
    /// </summary>
    private static bool ReportParameterNames(SymbolAnalysisContext context, INamedTypeSymbol type, Parser.ServiceMethod method)
    {
        bool isExplicit = method.Method.MethodKind == MethodKind.ExplicitInterfaceImplementation;
        IMethodSymbol parsed = isExplicit ? method.PublicDeclaration : method.Method;
        IMethodSymbol? contract = isExplicit || SymbolEqualityComparer.Default.Equals(method.Method, method.PublicDeclaration) ? null : method.PublicDeclaration;
        if (HasErrorType(parsed))
        {
            return false;
        }

        List<(IParameterSymbol Parameter, string WireName, string Problem)> problems = Parser.GetParameterNameProblems(parsed, method.Policy, contract);
        foreach ((IParameterSymbol parameter, string wireName, string problem) in problems)
        {
            Location location = IsInSource(parameter, context.Compilation) ? parameter.Locations[0]
                : IsInSource(parsed, context.Compilation) ? parsed.Locations[0]
                : type.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidParameterName, location, parameter.Name,
                parsed.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), wireName, problem));
        }

        return problems.Count > 0;
    }

    /// <summary>
    /// TRPC0003 on the service for <c>[Public]</c> methods of base classes in other assemblies that the generated
    /// table cannot reach (internal there, or private); those in this compilation are reported where they are declared.
    /// </summary>
    private static void ReportUnreachableBaseMethods(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? b = type.BaseType; b is not null && b.SpecialType != SpecialType.System_Object; b = b.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(b.ContainingAssembly, context.Compilation.Assembly))
            {
                continue;
            }

            foreach (ISymbol member in b.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method
                    && Parser.FindAttribute(method, KnownNames.PublicAttribute) is not null
                    && !context.Compilation.IsSymbolAccessibleWithin(method, type))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.InaccessibleMethod, type.Locations[0], method.Name, b.Name));
                }
            }
        }
    }

    private static void AnalyzeProxyInterface(SymbolAnalysisContext context, INamedTypeSymbol contract, AttributeData serviceAttribute)
    {
        if (Parser.GetProxyInterfaceProblem(contract) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidServiceType, contract.Locations[0], contract.Name, problem));
            return;
        }

        List<Parser.ProxyMethod>? methods = Parser.CollectProxyMethods(contract, serviceAttribute, out ISymbol? blocking, context.CancellationToken);
        if (methods is null)
        {
            Location location = blocking is not null && IsInSource(blocking, context.Compilation) ? blocking.Locations[0] : contract.Locations[0];
            string what = blocking is null ? "a member" : $"'{blocking.Name}'";
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidServiceType, location, contract.Name,
                $"{what} is abstract but not an instance method, and a proxy can only implement instance methods; give it a default implementation or remove it"));
            return;
        }

        if (methods.Count == 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.EmptyService, contract.Locations[0], contract.Name));
            return;
        }

        // Methods of base interfaces without [RpcService] are not seen by AnalyzeMethod.
        foreach (Parser.ProxyMethod method in methods)
        {
            if (method.Spec is null && !IsAnalyzedProxyMethod(method.Method) && !HasErrorType(method.Method))
            {
                string reason = RpcNames.GetNameProblem(method.RpcName) ?? DescribeShapeProblem(method.Method, forProxy: true)
                    ?? DescribeTypeProblems(method.Method).Select(static p => p.Reason).FirstOrDefault()
                    ?? (IsOneWayWithResult(method.Method) ? "it is [OneWay] but returns a value" : "its signature is not supported");
                Location location = IsInSource(method.Method, context.Compilation) ? method.Method.Locations[0] : contract.Locations[0];
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsupportedMethod, location, method.Method.ToDisplayString(), reason));
            }
        }
    }

    /// <summary>TRPC0001 on every member of each group with one name; all but the first carry a proposed new name.</summary>
    private static void ReportDuplicates(SymbolAnalysisContext context, INamedTypeSymbol type, List<(IMethodSymbol Method, string RpcName)> methods)
    {
        HashSet<string> duplicates = Parser.DuplicateNames(methods.Select(static m => m.RpcName));
        if (duplicates.Count == 0)
        {
            return;
        }

        var taken = new HashSet<string>(methods.Select(static m => m.RpcName), System.StringComparer.Ordinal);
        foreach (IGrouping<string, (IMethodSymbol Method, string RpcName)> group in methods
            .Where(m => duplicates.Contains(m.RpcName))
            .GroupBy(static m => m.RpcName, System.StringComparer.Ordinal))
        {
            (IMethodSymbol Method, string RpcName)[] members = group
                .OrderBy(m => IsInSource(m.Method, context.Compilation) ? 0 : 1)
                .ThenBy(static m => m.Method.Locations.FirstOrDefault()?.SourceTree?.FilePath, System.StringComparer.Ordinal)
                .ThenBy(static m => m.Method.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0)
                .ToArray();
            for (int i = 0; i < members.Length; i++)
            {
                IMethodSymbol method = members[i].Method;
                IMethodSymbol other = members[i == 0 ? 1 : 0].Method;
                bool inSource = IsInSource(method, context.Compilation);
                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
                if (i > 0 && inSource && method.MethodKind == MethodKind.Ordinary)
                {
                    properties = properties.Add(ProposedNameProperty, ProposeName(group.Key, taken));
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.DuplicateRpcName,
                    inSource ? method.Locations[0] : type.Locations[0],
                    properties,
                    method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
                    group.Key,
                    other.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)));
            }
        }
    }

    /// <summary><paramref name="name"/> followed by the smallest number from 2 that no method uses yet.</summary>
    private static string ProposeName(string name, HashSet<string> taken)
    {
        for (int i = 2; ; i++)
        {
            string candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (taken.Add(candidate))
            {
                return candidate;
            }
        }
    }

    // ---- AddMethod(Delegate) ---------------------------------------------------------------------------

    /// <summary>
    /// TRPC0011 for a lambda or method group given to <c>AddMethod(Delegate)</c> whose parameters' wire names (their
    /// own names or <c>[RpcName]</c>; a delegate has no naming policy) clash or are invalid: the generator does not
    /// intercept such a call, and the reflection fallback refuses the delegate when it is added.
    /// </summary>
    private static void AnalyzeAddMethod(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!Parser.IsAddMethodOfDelegate(invocation.TargetMethod))
        {
            return;
        }

        IOperation? value = invocation.Arguments.FirstOrDefault(static a => a.Parameter?.Ordinal == 0)?.Value;
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        IMethodSymbol? target = value is IDelegateCreationOperation creation
            ? creation.Target switch
            {
                IAnonymousFunctionOperation lambda => lambda.Symbol,
                IMethodReferenceOperation reference => reference.Method,
                _ => null,
            }
            : null;
        if (target is null)
        {
            return;
        }

        string display = target.MethodKind == MethodKind.AnonymousFunction ? "the lambda" : target.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
        foreach ((IParameterSymbol parameter, string wireName, string problem) in Parser.GetParameterNameProblems(target, RpcNamingPolicyValue.AsWritten))
        {
            Location location = IsInSource(parameter, context.Compilation) ? parameter.Locations[0] : invocation.Syntax.GetLocation();
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidParameterName, location, parameter.Name, display, wireName, problem));
        }
    }

    // ---- methods ----------------------------------------------------------------------------------------

    private static void AnalyzeMethod(SymbolAnalysisContext context, CompilationState state)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.MethodKind == MethodKind.ExplicitInterfaceImplementation)
        {
            AnalyzeExplicitImplementation(context, method);
            return;
        }

        if (method.MethodKind != MethodKind.Ordinary)
        {
            return;
        }

        INamedTypeSymbol containing = method.ContainingType;
        AttributeData? publicAttribute = Parser.FindAttribute(method, KnownNames.PublicAttribute);
        AttributeData? serviceAttribute = Parser.FindAttribute(containing, KnownNames.RpcServiceAttribute);
        bool isProxyMethod = IsAnalyzedProxyMethod(method);
        if (publicAttribute is null && !isProxyMethod)
        {
            return;
        }

        bool isClass = containing.TypeKind is TypeKind.Class or TypeKind.Struct;
        if (publicAttribute is not null && serviceAttribute is null && isClass)
        {
            if (!containing.IsAbstract && !state.IsServiceBase(containing))
            {
                Location attributeLocation = AttributeLocation(publicAttribute, context.CancellationToken) ?? method.Locations[0];
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.PublicOutsideService, attributeLocation, method.Name, containing.Name));
            }

            if (method.DeclaredAccessibility == Accessibility.Private)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.InaccessibleMethod, method.Locations[0], method.Name, containing.Name));
            }
        }

        // A service type no code is generated for is reported as a whole (TRPC0010), not member by member.
        if (serviceAttribute is not null && (containing.TypeKind == TypeKind.Interface
                ? Parser.GetProxyInterfaceProblem(containing)
                : Parser.GetServiceClassProblem(containing, context.CancellationToken)) is not null)
        {
            return;
        }

        // While a type name is unresolved, the compiler's error is the one that matters.
        if (HasErrorType(method))
        {
            return;
        }

        bool reported = false;
        if (publicAttribute is not null && Parser.ReadPublicName(publicAttribute) is { } explicitName
            && RpcNames.GetNameProblem(explicitName) is { } nameProblem)
        {
            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
            if (explicitName.StartsWith(RpcNames.ReservedPrefix, System.StringComparison.Ordinal)
                && explicitName.Substring(RpcNames.ReservedPrefix.Length) is var rest && RpcNames.IsValidName(rest))
            {
                properties = properties.Add(NameWithoutPrefixProperty, rest);
            }

            Location location = NameArgumentLocation(publicAttribute, context.CancellationToken) ?? method.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidRpcName, location, properties, explicitName, method.Name, nameProblem));
            reported = true;
        }

        if (DescribeShapeProblem(method, isProxyMethod) is { } shapeProblem)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsupportedMethod, method.Locations[0], method.Name, shapeProblem));
            reported = true;
        }

        foreach ((string what, ITypeSymbol type, Location? location, string reason) in DescribeTypeProblems(method))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsupportedType, location ?? method.Locations[0], what, method.Name,
                type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), reason));
            reported = true;
        }

        if (isProxyMethod && IsOneWayWithResult(method))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.OneWayWithResult, method.Locations[0], method.Name,
                method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
            reported = true;
        }

        // Whatever else the generator refuses is still reported, in its words if not in ours.
        if (!reported && !IsServedByGenerator(method, isProxyMethod, context.CancellationToken))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsupportedMethod, method.Locations[0], method.Name, "its signature is not supported"));
        }
    }

    /// <summary>
    /// <c>[Public]</c> on an explicit interface implementation is never read: the table serves an explicit
    /// implementation when the interface method carries <c>[Public]</c>.
    /// </summary>
    private static void AnalyzeExplicitImplementation(SymbolAnalysisContext context, IMethodSymbol method)
    {
        if (Parser.FindAttribute(method, KnownNames.PublicAttribute) is not null
            && method.ExplicitInterfaceImplementations.All(static m => Parser.FindAttribute(m, KnownNames.PublicAttribute) is null))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsupportedMethod, method.Locations[0], method.Name,
                "[Public] on an explicit interface implementation is not read; put [Public] on the interface method"));
        }
    }

    private static bool HasErrorType(IMethodSymbol method)
        => ContainsErrorType(method.ReturnType) || method.Parameters.Any(static p => ContainsErrorType(p.Type));

    private static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
        _ => false,
    };

    /// <summary>An abstract instance method of an <c>[RpcService]</c> interface: its proxy implements it.</summary>
    private static bool IsAnalyzedProxyMethod(IMethodSymbol method)
        => method is { IsAbstract: true, IsStatic: false, MethodKind: MethodKind.Ordinary, ContainingType.TypeKind: TypeKind.Interface }
           && Parser.FindAttribute(method.ContainingType, KnownNames.RpcServiceAttribute) is not null;

    // Parameter wire names depend on the service's naming policy; TRPC0011 reports them per service (AnalyzeType).
    private static bool IsServedByGenerator(IMethodSymbol method, bool isProxyMethod, CancellationToken cancellationToken)
        => isProxyMethod
            ? Parser.TryParseProxyMethod(method, "", "name") is not null
            : Parser.TryParseMethod(method, method.Name, "name", method.IsStatic ? Generators.Model.CallKind.Static : Generators.Model.CallKind.Instance, null,
                RpcNamingPolicyValue.AsWritten, cancellationToken, checkParameterNames: false) is not null;

    private static bool IsOneWayWithResult(IMethodSymbol method)
        => Parser.FindAttribute(method, KnownNames.OneWayAttribute) is not null
           && Parser.ClassifyReturn(method.ReturnType) is { Kind: not (Generators.Model.ReturnKind.Void or Generators.Model.ReturnKind.Task or Generators.Model.ReturnKind.ValueTask) };

    /// <summary>Why the method's shape (not its types) keeps it from being called remotely, or null.</summary>
    internal static string? DescribeShapeProblem(IMethodSymbol method, bool forProxy)
    {
        if (method.IsGenericMethod)
        {
            return "it is generic; remove its type parameters";
        }

        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return "it returns by reference; return by value";
        }

        int tokens = 0;
        int contexts = 0;
        int progress = 0;
        foreach (IParameterSymbol p in method.Parameters)
        {
            if (p.RefKind != RefKind.None)
            {
                string kind = p.RefKind switch { RefKind.Out => "out", RefKind.In => "in", RefKind.RefReadOnlyParameter => "ref readonly", _ => "ref" };
                return $"parameter '{p.Name}' is passed as '{kind}'; pass it by value";
            }

            if (Parser.IsSuppliedByServer(p.Type))
            {
                tokens += Parser.IsCancellationToken(p.Type) ? 1 : 0;
                contexts += Parser.IsRpcCallContext(p.Type) ? 1 : 0;
                progress += Parser.ProgressElement(p.Type) is null ? 0 : 1;
                continue;
            }

            if (p.IsParams && (p.Type is not IArrayTypeSymbol { Rank: 1 } array || (!forProxy && array.ElementType is IArrayTypeSymbol)))
            {
                return $"params parameter '{p.Name}' must be a one-dimensional array of values";
            }

            if (!forProxy && p.IsOptional && !p.IsParams && p.HasExplicitDefaultValue
                && Parser.FormatDefaultValue(p.Type, p.ExplicitDefaultValue) is null)
            {
                return $"the default value of parameter '{p.Name}' cannot be written in generated code";
            }
        }

        return tokens > 1 ? "it has more than one CancellationToken parameter; the request has one token to give"
            : contexts > 1 ? "it has more than one RpcCallContext parameter; a call has one context"
            : progress > 1 ? "it has more than one IProgress<T> parameter; a call carries one progress token"
            : null;
    }

    /// <summary>Each parameter or result whose type no protocol can carry, with where to report it.</summary>
    internal static IEnumerable<(string What, ITypeSymbol Type, Location? Location, string Reason)> DescribeTypeProblems(IMethodSymbol method)
    {
        foreach (IParameterSymbol p in method.Parameters)
        {
            // An IProgress<T> is not sent, but its reports are: T must be a value a protocol carries.
            ITypeSymbol? reported = Parser.ProgressElement(p.Type);
            if (reported is null && Parser.IsSuppliedByServer(p.Type))
            {
                continue;
            }

            string? reason = Parser.GetUnsupportedValueReason(reported ?? p.Type);
            if (reason is null && p.IsParams && p.Type is IArrayTypeSymbol array)
            {
                reason = Parser.GetUnsupportedValueReason(array.ElementType);
            }

            if (reason is not null)
            {
                Location? location = p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is ParameterSyntax { Type: { } typeSyntax }
                    ? typeSyntax.GetLocation()
                    : null;
                yield return ($"Parameter '{p.Name}'", p.Type, location, reason);
            }
        }

        ITypeSymbol result = method.ReturnType;
        if (result is INamedTypeSymbol { IsGenericType: true } named
            && Parser.MetadataName(named.OriginalDefinition) is KnownNames.TaskOfT or KnownNames.ValueTaskOfT or KnownNames.AsyncEnumerableOfT)
        {
            result = named.TypeArguments[0];
        }
        else if (result.SpecialType == SpecialType.System_Void
                 || result is INamedTypeSymbol task && Parser.MetadataName(task) is KnownNames.Task or KnownNames.ValueTask)
        {
            yield break;
        }

        if (Parser.GetUnsupportedValueReason(result) is { } resultReason)
        {
            Location? location = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is MethodDeclarationSyntax declaration
                ? declaration.ReturnType.GetLocation()
                : null;
            yield return ("The result", result, location, resultReason);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static bool IsInSource(ISymbol symbol, Compilation compilation)
        => symbol.Locations.Length > 0 && symbol.Locations[0] is { IsInSource: true } location && compilation.ContainsSyntaxTree(location.SourceTree!);

    private static Location? AttributeLocation(AttributeData attribute, CancellationToken cancellationToken)
        => attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();

    private static Location? NameArgumentLocation(AttributeData attribute, CancellationToken cancellationToken)
        => attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
            ? arguments[0].GetLocation()
            : null;

    /// <summary>What TRPC0002 needs to know: which classes of this compilation are bases of services.</summary>
    private sealed class CompilationState
    {
        private readonly System.Lazy<HashSet<INamedTypeSymbol>> _serviceBases;

        public CompilationState(Compilation compilation)
            => _serviceBases = new(() => FindServiceBases(compilation), LazyThreadSafetyMode.ExecutionAndPublication);

        /// <summary>True when an <c>[RpcService]</c> class of this compilation derives from <paramref name="type"/>.</summary>
        public bool IsServiceBase(INamedTypeSymbol type) => _serviceBases.Value.Contains(type.OriginalDefinition);

        // Computed once, and only when a [Public] method is found outside a service (rare in working code).
        private static HashSet<INamedTypeSymbol> FindServiceBases(Compilation compilation)
        {
            var bases = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach (INamedTypeSymbol type in SourceTypes.All(compilation))
            {
                if (type.TypeKind == TypeKind.Class && Parser.FindAttribute(type, KnownNames.RpcServiceAttribute) is not null)
                {
                    for (INamedTypeSymbol? b = type.BaseType; b is not null; b = b.BaseType)
                    {
                        bases.Add(b.OriginalDefinition);
                    }
                }
            }

            return bases;
        }
    }
}
