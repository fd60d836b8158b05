using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using TinyRpc.Generators;
using Parser = TinyRpc.Generators.RpcGenerator.Parser;

namespace TinyRpc.Analyzers;

/// <summary>
/// TRPC0009: in a project that is trimmed or compiled with NativeAOT (the trimming or AOT analyzer is on), every
/// type of this project used by an RPC method must be reachable from a <c>JsonSerializerContext</c> of this
/// project, because the JSON protocol cannot fall back to reflection there. TRPC0012: in such a project that
/// references TinyRpc.MessagePack, every such type must get a generated MSGPACK-RPC formatter (or carry
/// MessagePack-CSharp attributes of its own, whose formatter the app's resolver supplies).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RpcSerializationAnalyzer : DiagnosticAnalyzer
{
    private const string JsonSerializerContext = "System.Text.Json.Serialization.JsonSerializerContext";
    private const string JsonSerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.MissingSerializationMetadata, Descriptors.MissingMessagePackFormatter);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.RpcServiceAttribute) is null
                || !IsTrimmedOrAot(start.Options.AnalyzerConfigOptionsProvider.GlobalOptions))
            {
                return;
            }

            var metadata = new Lazy<SerializationMetadata>(() => SerializationMetadata.Find(start.Compilation), LazyThreadSafetyMode.ExecutionAndPublication);
            metadata = start.Compilation.GetTypeByMetadataName(KnownNames.MessagePackFormatterRegistry) is null
                ? metadata
                : new Lazy<SerializationMetadata>(() => SerializationMetadata.Find(start.Compilation).WithMessagePack(), LazyThreadSafetyMode.ExecutionAndPublication);
            start.RegisterSymbolAction(c => AnalyzeType(c, metadata), SymbolKind.NamedType);
            start.RegisterOperationAction(c => AnalyzeAddMethod(c, metadata), OperationKind.Invocation);
        });
    }

    /// <summary>
    /// A lambda or method group added with <c>AddMethod</c> and intercepted by the generator is an RPC method too.
    /// Calls that are not intercepted keep the trimming and AOT warnings of the reflection fallback instead.
    /// </summary>
    private static void AnalyzeAddMethod(OperationAnalysisContext context, Lazy<SerializationMetadata> metadata)
    {
        var invocation = (Microsoft.CodeAnalysis.Operations.IInvocationOperation)context.Operation;
        if (invocation.Syntax is not InvocationExpressionSyntax syntax
            || !Parser.AreInterceptorsEnabled(syntax.SyntaxTree.Options)
            || !Parser.IsAddMethodCandidate(syntax)
            || Parser.FindAddMethodDelegate(invocation) is not { } found
            || Parser.ParseAddMethodCall(syntax, invocation.SemanticModel!, context.CancellationToken) is null)
        {
            return;
        }

        Location fallback = syntax.ArgumentList.Arguments[0].GetLocation();
        Report(context.ReportDiagnostic, context.Compilation, found.Signature, fallback, metadata.Value);
    }

    /// <summary>True when the project runs the trimming or AOT analysis (PublishTrimmed, PublishAot, IsAotCompatible set them).</summary>
    private static bool IsTrimmedOrAot(AnalyzerConfigOptions options)
    {
        foreach (string property in new[] { "EnableTrimAnalyzer", "EnableAotAnalyzer", "PublishAot", "PublishTrimmed", "IsAotCompatible" })
        {
            if (options.TryGetValue("build_property." + property, out string? value)
                && string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static void AnalyzeType(SymbolAnalysisContext context, Lazy<SerializationMetadata> metadata)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (Parser.FindAttribute(type, KnownNames.RpcServiceAttribute) is not { } serviceAttribute)
        {
            return;
        }

        // Only the methods the generator serves or proxies; the others have diagnostics of their own.
        IEnumerable<IMethodSymbol> methods;
        if (type.TypeKind == TypeKind.Interface)
        {
            List<Parser.ProxyMethod>? proxyMethods = Parser.GetProxyInterfaceProblem(type) is null
                ? Parser.CollectProxyMethods(type, serviceAttribute, context.CancellationToken)
                : null;
            if (proxyMethods is null || proxyMethods.Any(static m => m.Spec is null))
            {
                return;
            }

            methods = proxyMethods.Select(static m => m.Method);
        }
        else
        {
            if (Parser.GetServiceClassProblem(type, context.CancellationToken) is not null)
            {
                return;
            }

            methods = Parser.CollectServiceMethods(type, serviceAttribute, context.Compilation, context.CancellationToken)
                .Where(static m => m.Spec is not null)
                .Select(static m => m.Method.MethodKind == MethodKind.ExplicitInterfaceImplementation ? m.PublicDeclaration : m.Method);
        }

        foreach (IMethodSymbol method in methods)
        {
            Report(context.ReportDiagnostic, context.Compilation, method, type.Locations[0], metadata.Value);
        }
    }

    /// <summary>TRPC0009 for each type of this compilation in the method's signature that no context covers.</summary>
    private static void Report(Action<Diagnostic> report, Compilation compilation, IMethodSymbol method, Location fallback, SerializationMetadata metadata)
    {
        foreach ((ITypeSymbol used, Location? location) in UsedTypes(method))
        {
            foreach (INamedTypeSymbol own in OwnTypes(used, compilation))
            {
                if (!metadata.Covers(own))
                {
                    Location where = location is not null && compilation.ContainsSyntaxTree(location.SourceTree!) ? location : fallback;
                    string display = own.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
                    string name = method.MethodKind == MethodKind.AnonymousFunction ? "(lambda)" : method.Name;
                    report(Diagnostic.Create(Descriptors.MissingSerializationMetadata, where, display, name, display, metadata.Suggestion));
                }
            }

            if (metadata.MessagePack)
            {
                var problems = new Dictionary<ITypeSymbol, string>(SymbolEqualityComparer.Default);
                Parser.CollectMessagePackProblems(used, compilation, problems, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), CancellationToken.None);
                foreach (KeyValuePair<ITypeSymbol, string> problem in problems.OrderBy(static p => p.Key.ToDisplayString(), StringComparer.Ordinal))
                {
                    Location where = location is not null && compilation.ContainsSyntaxTree(location.SourceTree!) ? location : fallback;
                    string name = method.MethodKind == MethodKind.AnonymousFunction ? "(lambda)" : method.Name;
                    report(Diagnostic.Create(Descriptors.MissingMessagePackFormatter, where, problem.Key.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat), name, problem.Value));
                }
            }
        }
    }

    /// <summary>The parameter types (tokens aside) and the result type (the T of a task), with where they are written.</summary>
    private static IEnumerable<(ITypeSymbol Type, Location? Location)> UsedTypes(IMethodSymbol method)
    {
        foreach (IParameterSymbol p in method.Parameters)
        {
            // The reports of an IProgress<T> travel as T.
            ITypeSymbol? reported = Parser.ProgressElement(p.Type);
            if (reported is not null || !Parser.IsSuppliedByServer(p.Type))
            {
                yield return (reported ?? p.Type, p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is ParameterSyntax { Type: { } t } ? t.GetLocation() : null);
            }
        }

        ITypeSymbol result = method.ReturnType;
        if (result is INamedTypeSymbol { IsGenericType: true } named
            && Parser.MetadataName(named.OriginalDefinition) is KnownNames.TaskOfT or KnownNames.ValueTaskOfT or KnownNames.AsyncEnumerableOfT)
        {
            result = named.TypeArguments[0];
        }

        if (result.SpecialType != SpecialType.System_Void)
        {
            Location? location = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() switch
            {
                MethodDeclarationSyntax m => m.ReturnType.GetLocation(),
                LocalFunctionStatementSyntax f => f.ReturnType.GetLocation(),
                ParenthesizedLambdaExpressionSyntax { ReturnType: { } r } => r.GetLocation(),
                AnonymousFunctionExpressionSyntax lambda => lambda.GetLocation(),
                _ => null,
            };
            yield return (result, location);
        }
    }

    /// <summary>The types declared in this compilation that <paramref name="type"/> is or is built from (array elements, type arguments).</summary>
    private static IEnumerable<INamedTypeSymbol> OwnTypes(ITypeSymbol type, Compilation compilation)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                foreach (INamedTypeSymbol t in OwnTypes(array.ElementType, compilation))
                {
                    yield return t;
                }

                break;
            case INamedTypeSymbol named:
                if (SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, compilation.Assembly))
                {
                    yield return named;
                }

                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    foreach (INamedTypeSymbol t in OwnTypes(argument, compilation))
                    {
                        yield return t;
                    }
                }

                break;
        }
    }

    /// <summary>The types the project's JsonSerializerContexts provide metadata for, and where to add more.</summary>
    private sealed class SerializationMetadata
    {
        private readonly HashSet<ITypeSymbol> _covered;

        private SerializationMetadata(HashSet<ITypeSymbol> covered, string suggestion)
        {
            _covered = covered;
            Suggestion = suggestion;
        }

        /// <summary>The context to name in the message: the project's only one, else a new one.</summary>
        public string Suggestion { get; }

        /// <summary>True when the project references TinyRpc.MessagePack: MSGPACK-RPC formatters are checked too (TRPC0012).</summary>
        public bool MessagePack { get; private set; }

        public SerializationMetadata WithMessagePack() => new(_covered, Suggestion) { MessagePack = true };

        public bool Covers(INamedTypeSymbol type) => _covered.Contains(type);

        public static SerializationMetadata Find(Compilation compilation)
        {
            var contexts = new List<INamedTypeSymbol>();
            var pending = new Stack<ITypeSymbol>();
            foreach (INamedTypeSymbol type in SourceTypes.All(compilation))
            {
                if (!DerivesFrom(type, JsonSerializerContext))
                {
                    continue;
                }

                contexts.Add(type);
                foreach (AttributeData attribute in type.GetAttributes())
                {
                    if (attribute.AttributeClass is { } c && Parser.MetadataName(c) == JsonSerializableAttribute
                        && attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is ITypeSymbol listed)
                    {
                        pending.Push(listed);
                    }
                }
            }

            // A context also provides metadata for the types its listed types reach: elements, type arguments,
            // public properties.
            var covered = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
            while (pending.Count > 0)
            {
                ITypeSymbol type = pending.Pop();
                if (!covered.Add(type))
                {
                    continue;
                }

                if (type is IArrayTypeSymbol array)
                {
                    pending.Push(array.ElementType);
                    continue;
                }

                if (type is not INamedTypeSymbol named)
                {
                    continue;
                }

                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    pending.Push(argument);
                }

                if (SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, compilation.Assembly))
                {
                    foreach (ISymbol member in named.GetMembers())
                    {
                        if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public } property)
                        {
                            pending.Push(property.Type);
                        }
                    }
                }
            }

            string suggestion = contexts.Count == 1
                ? $"'{contexts[0].Name}'"
                : "a JsonSerializerContext given to JsonRpcProtocolOptions.SerializerOptions";
            return new SerializationMetadata(covered, suggestion);
        }

        private static bool DerivesFrom(INamedTypeSymbol type, string metadataName)
        {
            for (INamedTypeSymbol? b = type.BaseType; b is not null; b = b.BaseType)
            {
                if (Parser.MetadataName(b) == metadataName)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
