using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators;

partial class RpcGenerator
{
    internal static partial class Parser
    {
        /// <summary>The MSGPACK-RPC formatters the types of one <c>[RpcService]</c> class or interface need.</summary>
        public static MessagePackContractSpec? ParseMessagePackContract(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type)
            {
                return null;
            }

            var signatures = new List<IMethodSymbol>();
            if (type.TypeKind == TypeKind.Interface)
            {
                // Methods the proxy cannot implement contribute nothing, as the proxy itself is not generated.
                List<ProxyMethod>? methods = CollectProxyMethods(type, context.Attributes[0], cancellationToken);
                signatures.AddRange((methods ?? []).Where(static m => m.Spec is not null).Select(static m => m.Method));
            }
            else if (GetServiceClassProblem(type, cancellationToken) is null)
            {
                signatures.AddRange(CollectServiceMethods(type, context.Attributes[0], context.SemanticModel.Compilation, cancellationToken)
                    .Where(static m => m.Spec is not null)
                    .Select(static m => m.Method));
            }

            return ContractOf(signatures, cancellationToken);
        }

        /// <summary>
        /// The MSGPACK-RPC formatters a lambda or method group passed to <c>RpcDispatcher.AddMethod</c> needs, for the
        /// calls the generator intercepts.
        /// </summary>
        public static MessagePackContractSpec? ParseMessagePackDelegate(GeneratorSyntaxContext context, CancellationToken cancellationToken)
            => context.SemanticModel.GetOperation(context.Node, cancellationToken) is Microsoft.CodeAnalysis.Operations.IInvocationOperation operation
                && ParseAddMethodCall(context, cancellationToken) is not null
                && FindAddMethodDelegate(operation) is { } found
                ? ContractOf([found.Signature], cancellationToken)
                : null;

        private static MessagePackContractSpec ContractOf(IEnumerable<IMethodSymbol> signatures, CancellationToken cancellationToken)
        {
            var found = new SortedDictionary<string, MessagePackTypeSpec>(StringComparer.Ordinal);
            foreach (IMethodSymbol method in signatures)
            {
                foreach (IParameterSymbol parameter in method.Parameters)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (ProgressElement(parameter.Type) is { } reported)
                    {
                        AddMessagePackType(reported, found, cancellationToken);
                    }
                    else if (!IsSuppliedByServer(parameter.Type))
                    {
                        AddMessagePackType(parameter.Type, found, cancellationToken);
                    }
                }

                ITypeSymbol result = method.ReturnType;
                if (result is INamedTypeSymbol { IsGenericType: true } task
                    && MetadataName(task.OriginalDefinition) is KnownNames.TaskOfT or KnownNames.ValueTaskOfT or KnownNames.AsyncEnumerableOfT)
                {
                    result = task.TypeArguments[0];
                }

                if (result.SpecialType != SpecialType.System_Void && MetadataName(result) is not (KnownNames.Task or KnownNames.ValueTask))
                {
                    AddMessagePackType(result, found, cancellationToken);
                }
            }

            return new MessagePackContractSpec(found.Values.ToImmutableEquatableArray());
        }

        /// <summary>
        /// The types of <paramref name="compilation"/> that <paramref name="type"/> is or contains (elements, type
        /// arguments, members of generated objects) for which no MSGPACK-RPC formatter is generated, each with why;
        /// types with MessagePack-CSharp attributes of their own are left to the user's resolver and not listed.
        /// </summary>
        internal static void CollectMessagePackProblems(ITypeSymbol type, Compilation compilation, Dictionary<ITypeSymbol, string> problems, HashSet<ITypeSymbol> visited, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!visited.Add(type))
            {
                return;
            }

            switch (type)
            {
                case IArrayTypeSymbol array:
                    CollectMessagePackProblems(array.ElementType, compilation, problems, visited, cancellationToken);
                    return;
                case INamedTypeSymbol named:
                    foreach (ITypeSymbol argument in named.TypeArguments)
                    {
                        CollectMessagePackProblems(argument, compilation, problems, visited, cancellationToken);
                    }

                    if (!SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, compilation.Assembly)
                        || named.TypeKind == TypeKind.Enum
                        || named.GetAttributes().Any(static a => a.AttributeClass is { } c
                            && MetadataName(c) is "MessagePack.MessagePackObjectAttribute" or "MessagePack.MessagePackFormatterAttribute"))
                    {
                        return;
                    }

                    string? problem = named.TypeKind is not (TypeKind.Class or TypeKind.Struct) || named.IsAbstract || named.IsStatic
                        ? "an interface or abstract type has no constructor to read it with"
                        : named.IsGenericType
                        ? "generic types get no generated formatter"
                        : !IsNameableFromModule(named)
                        ? "generated code cannot name a private or file-local type"
                        : null;
                    var members = new List<(MessagePackMemberSpec Spec, ITypeSymbol Type)>();
                    if (problem is null && !TryParseMessagePackObject(named, members, out _, cancellationToken))
                    {
                        problem = "it has no constructor the generated formatter can call (a [JsonConstructor], public parameterless or only public constructor whose parameters match properties by name) or a member type generated code cannot name";
                    }

                    if (problem is not null)
                    {
                        problems[named] = problem;
                        return;
                    }

                    foreach ((MessagePackMemberSpec _, ITypeSymbol memberType) in members)
                    {
                        CollectMessagePackProblems(memberType, compilation, problems, visited, cancellationToken);
                    }

                    return;
            }
        }

        /// <summary>True when the compilation references TinyRpc.MessagePack, so generated code may use MessagePack-CSharp.</summary>
        public static bool ReferencesMessagePack(Compilation compilation)
            => compilation.GetTypeByMetadataName(KnownNames.MessagePackFormatterRegistry) is not null;

        /// <summary>
        /// Adds <paramref name="type"/> and the types inside it, when MessagePack-CSharp's built-in resolver lacks
        /// them and a generic formatter of its own (or a generated one) serves them. Types that generated code at
        /// module level cannot name (private, file-local, open generic) are left out.
        /// </summary>
        private static void AddMessagePackType(ITypeSymbol type, SortedDictionary<string, MessagePackTypeSpec> found, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsNameableFromModule(type))
            {
                return;
            }

            string name = type.ToDisplayString(TypeOfFormat);
            if (found.ContainsKey(name))
            {
                return;
            }

            if (type is INamedTypeSymbol named && IsGeneratedObject(named))
            {
                // Added before its members are visited, so that a type that contains itself ends the walk.
                var members = new List<(MessagePackMemberSpec Spec, ITypeSymbol Type)>();
                if (TryParseMessagePackObject(named, members, out ImmutableEquatableArray<int>? constructor, cancellationToken))
                {
                    found[name] = new MessagePackTypeSpec(
                        name,
                        MessagePackShape.Object,
                        ImmutableEquatableArray<string>.Empty,
                        new MessagePackObjectSpec(named.IsValueType, members.Select(static m => m.Spec).ToImmutableEquatableArray(), constructor!));
                    foreach ((MessagePackMemberSpec _, ITypeSymbol memberType) in members)
                    {
                        AddMessagePackType(memberType, found, cancellationToken);
                    }
                }

                return;
            }

            (MessagePackShape Shape, ITypeSymbol[] Arguments)? shape = ClassifyMessagePackType(type);
            if (shape is null)
            {
                return;
            }

            found[name] = new MessagePackTypeSpec(
                name,
                shape.Value.Shape,
                shape.Value.Arguments.Select(static a => a.ToDisplayString(TypeOfFormat)).ToImmutableEquatableArray(),
                null);
            foreach (ITypeSymbol argument in shape.Value.Arguments)
            {
                AddMessagePackType(argument, found, cancellationToken);
            }
        }

        private static (MessagePackShape Shape, ITypeSymbol[] Arguments)? ClassifyMessagePackType(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol array)
            {
                // byte[] is binary data (built in); multi-dimensional arrays have no JSON form either.
                return array.IsSZArray && array.ElementType.SpecialType != SpecialType.System_Byte
                    ? (MessagePackShape.Array, new[] { array.ElementType })
                    : null;
            }

            if (type is not INamedTypeSymbol named)
            {
                return null;
            }

            if (named.TypeKind == TypeKind.Enum)
            {
                return (MessagePackShape.Enum, Array.Empty<ITypeSymbol>());
            }

            if (!named.IsGenericType)
            {
                return null;
            }

            ITypeSymbol[] arguments = named.TypeArguments.ToArray();
            MessagePackShape? shape = MetadataName(named.OriginalDefinition) switch
            {
                "System.Nullable`1" => MessagePackShape.Nullable,
                "System.Collections.Generic.List`1" => MessagePackShape.List,
                "System.Collections.Generic.IList`1" => MessagePackShape.ListInterface,
                "System.Collections.Generic.ICollection`1" => MessagePackShape.CollectionInterface,
                "System.Collections.Generic.IEnumerable`1" => MessagePackShape.Enumerable,
                "System.Collections.Generic.IReadOnlyList`1" => MessagePackShape.ReadOnlyList,
                "System.Collections.Generic.IReadOnlyCollection`1" => MessagePackShape.ReadOnlyCollection,
                "System.Collections.Generic.HashSet`1" => MessagePackShape.HashSet,
                "System.Collections.Generic.ISet`1" => MessagePackShape.SetInterface,
                "System.Collections.Generic.Dictionary`2" => MessagePackShape.Dictionary,
                "System.Collections.Generic.IDictionary`2" => MessagePackShape.DictionaryInterface,
                "System.Collections.Generic.IReadOnlyDictionary`2" => MessagePackShape.ReadOnlyDictionary,
                _ => null,
            };

            // Map keys are strings or integers, as JSON object keys are; MessagePack-CSharp's hash-flooding-safe
            // comparers for other key types are made by reflection at run time.
            if (shape is MessagePackShape.Dictionary or MessagePackShape.DictionaryInterface or MessagePackShape.ReadOnlyDictionary
                && arguments[0].SpecialType is not (SpecialType.System_String or SpecialType.System_Int32 or SpecialType.System_Int64))
            {
                return null;
            }

            return shape is null ? null : (shape.Value, arguments);
        }

        /// <summary>
        /// A record, class or struct of the user's that gets a generated map formatter: not a framework type, not
        /// abstract or generic, and without MessagePack-CSharp attributes of its own (those keep the user's resolver).
        /// </summary>
        private static bool IsGeneratedObject(INamedTypeSymbol type)
        {
            if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.IsAbstract || type.IsStatic || type.IsGenericType
                || type.SpecialType != SpecialType.None || type.IsTupleType || type.IsRefLikeType)
            {
                return false;
            }

            // Framework and library types (DateTimeOffset, Uri, TimeSpan ...) have formatters of their own or none.
            string assembly = type.ContainingAssembly?.Name ?? "";
            if (assembly is "mscorlib" or "netstandard" or "System" or "TinyRpc.Runtime" or "TinyRpc.MessagePack"
                || assembly.StartsWith("System.", StringComparison.Ordinal) || assembly.StartsWith("Microsoft.", StringComparison.Ordinal)
                || assembly.StartsWith("MessagePack", StringComparison.Ordinal))
            {
                return false;
            }

            return !type.GetAttributes().Any(static a => a.AttributeClass is { } c
                && MetadataName(c) is "MessagePack.MessagePackObjectAttribute" or "MessagePack.MessagePackFormatterAttribute");
        }

        /// <summary>
        /// The members of a generated map formatter, as System.Text.Json sees them by default: public instance
        /// properties with a public getter or setter, keyed by <c>[JsonPropertyName]</c> or the property name,
        /// without <c>[JsonIgnore]</c> ones (unconditional). The constructor is the <c>[JsonConstructor]</c> one,
        /// else the public parameterless one, else the only public one; its parameters match properties by name,
        /// ignoring case. False when the type cannot be built that way.
        /// </summary>
        private static bool TryParseMessagePackObject(INamedTypeSymbol type, List<(MessagePackMemberSpec Spec, ITypeSymbol Type)> members, out ImmutableEquatableArray<int>? constructorParameters, CancellationToken cancellationToken)
        {
            constructorParameters = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (INamedTypeSymbol? current = type; current is not null && current.SpecialType != SpecialType.System_Object && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
            {
                foreach (ISymbol member in current.GetMembers())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (member is not IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public } property
                        || !seen.Add(property.Name)
                        || IsJsonIgnored(property))
                    {
                        continue;
                    }

                    bool canRead = property.GetMethod is { DeclaredAccessibility: Accessibility.Public };
                    bool canInitialize = property.SetMethod is { DeclaredAccessibility: Accessibility.Public };
                    if (!canRead && !canInitialize)
                    {
                        continue;
                    }

                    if (!IsNameableFromModule(property.Type) || property.Type.IsRefLikeType || property.Type is IPointerTypeSymbol)
                    {
                        return false;
                    }

                    string wireName = FindAttribute(property, "System.Text.Json.Serialization.JsonPropertyNameAttribute") is { ConstructorArguments.Length: 1 } rename
                        && rename.ConstructorArguments[0].Value is string renamed
                        ? renamed
                        : property.Name;
                    members.Add((new MessagePackMemberSpec(wireName, property.Name, property.Type.ToDisplayString(TypeFormat), canRead, canInitialize, property.SetMethod is { IsInitOnly: true }), property.Type));
                }
            }

            IMethodSymbol[] constructors = type.InstanceConstructors.Where(static c => c.DeclaredAccessibility == Accessibility.Public).ToArray();
            IMethodSymbol? constructor = constructors.FirstOrDefault(static c => FindAttribute(c, "System.Text.Json.Serialization.JsonConstructorAttribute") is not null)
                ?? constructors.FirstOrDefault(static c => c.Parameters.Length == 0)
                ?? (constructors.Length == 1 ? constructors[0] : null);
            if (constructor is null)
            {
                return false;
            }

            var parameters = new List<int>();
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                int index = members.FindIndex(m => string.Equals(m.Spec.ClrName, parameter.Name, StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(m.Type.WithNullableAnnotation(NullableAnnotation.None), parameter.Type.WithNullableAnnotation(NullableAnnotation.None)));
                if (index < 0)
                {
                    return false;
                }

                parameters.Add(index);
            }

            constructorParameters = parameters.ToImmutableEquatableArray();
            return true;
        }

        private static bool IsJsonIgnored(IPropertySymbol property)
            => FindAttribute(property, "System.Text.Json.Serialization.JsonIgnoreAttribute") is { } ignore
                && !ignore.NamedArguments.Any(static a => a.Key == "Condition" && a.Value.Value is int condition && condition != 1);

        /// <summary>True when code at the top of the module can name the type: no type parameter, nothing private or file-local.</summary>
        private static bool IsNameableFromModule(ITypeSymbol type)
        {
            switch (type)
            {
                case IArrayTypeSymbol array:
                    return IsNameableFromModule(array.ElementType);
                case INamedTypeSymbol named:
                    for (INamedTypeSymbol? t = named; t is not null; t = t.ContainingType)
                    {
                        if (t.IsFileLocal || t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                        {
                            return false;
                        }
                    }

                    return named.TypeArguments.All(IsNameableFromModule);
                default:
                    return false;
            }
        }
    }
}
