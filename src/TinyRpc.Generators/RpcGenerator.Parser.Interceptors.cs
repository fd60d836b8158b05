using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;
using TinyRpc.Shared;

namespace TinyRpc.Generators;

partial class RpcGenerator
{
    internal static partial class Parser
    {
        // ---- RpcDispatcher.AddMethod(Delegate, string?) calls ----------------------------------------

        /// <summary>True when the consumer lists <c>TinyRpc.Generated</c> in <c>InterceptorsNamespaces</c>.</summary>
        public static bool AreInterceptorsEnabled(ParseOptions options)
        {
            foreach (string key in new[] { "InterceptorsNamespaces", "InterceptorsPreviewNamespaces" })
            {
                if (options.Features.TryGetValue(key, out string? value)
                    && value.Split(';').Any(static ns => string.Equals(ns.Trim(), KnownNames.InterceptorsNamespace, StringComparison.Ordinal)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Syntax only: <c>x.AddMethod(lambda or method group[, name])</c>.</summary>
        public static bool IsAddMethodCandidate(SyntaxNode node)
            => node is InvocationExpressionSyntax
            {
                Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "AddMethod" },
                ArgumentList.Arguments: { Count: 1 or 2 } arguments,
            }
            && arguments.Any(static a => a.Expression is LambdaExpressionSyntax or AnonymousMethodExpressionSyntax
                or IdentifierNameSyntax or MemberAccessExpressionSyntax or GenericNameSyntax);

        public static InterceptorSpec? ParseAddMethodCall(GeneratorSyntaxContext context, CancellationToken cancellationToken)
            => ParseAddMethodCall((InvocationExpressionSyntax)context.Node, context.SemanticModel, cancellationToken);

        /// <summary>
        /// The interceptor for an <c>AddMethod(Delegate, string?)</c> call, or null when the call keeps the reflection
        /// fallback. Also decides where the analyzers suppress the trimming and AOT warnings of such calls.
        /// </summary>
        public static InterceptorSpec? ParseAddMethodCall(InvocationExpressionSyntax invocation, SemanticModel semanticModel, CancellationToken cancellationToken)
        {
            if (semanticModel.GetOperation(invocation, cancellationToken) is not IInvocationOperation operation
                || FindAddMethodDelegate(operation) is not { } found)
            {
                return null;
            }

            (INamedTypeSymbol delegateType, IMethodSymbol signature, string? defaultName) = found;
            IMethodSymbol invoke = delegateType.DelegateInvokeMethod!;
            (ReturnKind kind, string? resultType)? returns = ClassifyReturn(invoke.ReturnType);
            // A delegate has no naming policy; [RpcName] on a lambda's or method's parameter still applies. Names that
            // clash or are invalid keep the reflection fallback, which refuses them when the method is added.
            ImmutableEquatableArray<ParameterSpec>? parameters = TryParseParameters(signature.Parameters, RpcNamingPolicyValue.AsWritten, cancellationToken);
            if (returns is null || parameters is null || parameters.Any(static p => p.IsOptional || p.Kind == ParameterKind.ParamArray)
                || GetParameterNameProblems(signature, RpcNamingPolicyValue.AsWritten).Count > 0)
            {
                return null;
            }

            if (semanticModel.GetInterceptableLocation(invocation, cancellationToken) is not { } location)
            {
                return null;
            }

            FileLinePositionSpan span = invocation.GetLocation().GetLineSpan();
            return new InterceptorSpec(
                new DelegateSpec(delegateType.ToDisplayString(TypeFormat), defaultName, returns.Value.kind, returns.Value.resultType, parameters),
                new InterceptedLocationSpec(location.Version, location.Data, Path.GetFileName(span.Path),
                    span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
        }

        /// <summary>
        /// For an <c>AddMethod(Delegate, string?)</c> call with a lambda or method group converted with its natural,
        /// nameable type (<c>Func&lt;...&gt;</c> or <c>Action&lt;...&gt;</c>): that type, the lambda's or method's
        /// signature, and the method group's name (null for a lambda). Null for any other call: anonymous delegate
        /// types (defaults, params, ref parameters) cannot be named, so those calls keep the reflection fallback.
        /// </summary>
        internal static (INamedTypeSymbol DelegateType, IMethodSymbol Signature, string? DefaultName)? FindAddMethodDelegate(IInvocationOperation operation)
        {
            if (!IsAddMethodOfDelegate(operation.TargetMethod))
            {
                return null;
            }

            IArgumentOperation? argument = operation.Arguments.FirstOrDefault(static a => a.Parameter?.Ordinal == 0);
            IOperation? value = argument?.Value;
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (value is not IDelegateCreationOperation { Type: INamedTypeSymbol { TypeKind: TypeKind.Delegate, IsAnonymousType: false } delegateType } creation
                || !IsNameable(delegateType))
            {
                return null;
            }

            return creation.Target switch
            {
                IAnonymousFunctionOperation lambda => (delegateType, lambda.Symbol, null),
                IMethodReferenceOperation reference => (delegateType, reference.Method, reference.Method.Name),
                _ => null,
            };
        }

        internal static bool IsAddMethodOfDelegate(IMethodSymbol method)
            => method is { Name: "AddMethod", IsStatic: false, Parameters.Length: 2 }
               && MetadataName(method.ContainingType) == KnownNames.RpcDispatcher
               && method.Parameters[0].Type.SpecialType == SpecialType.System_Delegate
               && method.Parameters[1].Type.SpecialType == SpecialType.System_String;

        // Whether the generated interceptor, in a file of its own, can name the type: no anonymous, file-local or
        // private types, at any depth of type arguments and array elements.
        private static bool IsNameable(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.IsAnonymousType || t.IsImplicitlyDeclared || t.IsFileLocal
                    || t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                {
                    return false;
                }
            }

            return type.TypeArguments.All(IsNameableType);
        }

        private static bool IsNameableType(ITypeSymbol type) => type switch
        {
            IArrayTypeSymbol array => IsNameableType(array.ElementType),
            INamedTypeSymbol named => IsNameable(named),
            _ => false,
        };
    }
}
