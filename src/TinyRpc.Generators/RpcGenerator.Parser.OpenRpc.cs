using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TinyRpc.Generators.Helpers;
using TinyRpc.Generators.Model;
using TinyRpc.Shared;

namespace TinyRpc.Generators;

partial class RpcGenerator
{
    internal static partial class Parser
    {
        /// <summary>The OpenRPC version the generated documents declare.</summary>
        internal const string OpenRpcVersion = "1.3.2";

        /// <summary>The extension member that marks a one-way method: clients send it as a notification.</summary>
        internal const string NotificationExtension = "x-notification";

        /// <summary>The extension member that marks a C# <c>params</c> array parameter.</summary>
        internal const string ParamsArrayExtension = "x-params-array";

        /// <summary>
        /// The OpenRPC document of an <c>[RpcService]</c> class, for the same classes and methods
        /// <see cref="ParseService(INamedTypeSymbol, AttributeData, Compilation, CancellationToken)"/> makes a dispatch
        /// table of (null when it makes none).
        /// </summary>
        public static OpenRpcSpec? ParseOpenRpc(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || GetServiceClassProblem(type, cancellationToken) is not null)
            {
                return null;
            }

            Compilation compilation = context.SemanticModel.Compilation;
            List<ServiceMethod> candidates = CollectServiceMethods(type, context.Attributes[0], compilation, cancellationToken);
            HashSet<string> duplicates = DuplicateNames(candidates.Select(static c => c.RpcName));
            DocumentedMethod[] served = candidates
                .Where(c => c.Spec is not null && !duplicates.Contains(c.RpcName))
                .Select(static c => new DocumentedMethod(c.Method, c.PublicDeclaration, c.Spec!))
                .OrderBy(static m => m.Spec.RpcName, StringComparer.Ordinal)
                .ToArray();
            return new OpenRpcSpec(
                HintName: HintName(type).Replace(".g.cs", ".OpenRpc.g.cs"),
                Namespace: NamespaceOf(type),
                ContainingTypes: ContainingTypes(type),
                Keyword: type.IsRecord ? "record" : "class",
                Name: type.Name,
                Document: BuildOpenRpcDocument(type, served, compilation, cancellationToken),
                IsContract: false);
        }

        /// <summary>
        /// The OpenRPC document of an <c>[RpcService]</c> interface, for the interfaces
        /// <see cref="ParseProxy(INamedTypeSymbol, AttributeData, CancellationToken)"/> makes a proxy of (null when it
        /// makes none): every method the proxy calls, under the names it sends, with the parameter wire names a class
        /// implementing it reads. A name two methods share (a synchronous and an asynchronous variant) is described
        /// once, by the first in name order.
        /// </summary>
        public static OpenRpcSpec? ParseContractOpenRpc(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol contract
                || ParseProxy(contract, context.Attributes[0], cancellationToken) is not { } proxy
                || CollectProxyMethods(contract, context.Attributes[0], cancellationToken) is not { } candidates)
            {
                return null;
            }

            (RpcNamingPolicyValue policy, bool _) = ReadServiceSettings(context.Attributes[0]);
            var served = new List<DocumentedMethod>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (ProxyMethod candidate in candidates.OrderBy(static c => c.RpcName, StringComparer.Ordinal))
            {
                IMethodSymbol method = candidate.Method;
                RpcNamingPolicyValue p = !SymbolEqualityComparer.Default.Equals(method.ContainingType, contract)
                    && FindAttribute(method.ContainingType, KnownNames.RpcServiceAttribute) is { } own
                    ? ReadServiceSettings(own).Policy
                    : policy;
                if (names.Add(candidate.RpcName)
                    && TryParseMethod(method, method.Name, candidate.RpcName, CallKind.Instance, null, p, cancellationToken, checkParameterNames: false) is { } spec)
                {
                    served.Add(new DocumentedMethod(method, method, spec));
                }
            }

            return new OpenRpcSpec(
                HintName: HintName(contract).Replace(".g.cs", ".OpenRpc.g.cs"),
                Namespace: proxy.Namespace,
                ContainingTypes: ImmutableEquatableArray<ContainingTypeSpec>.Empty,
                Keyword: "class",
                Name: proxy.ProxyName,
                Document: BuildOpenRpcDocument(contract, served, context.SemanticModel.Compilation, cancellationToken),
                IsContract: true);
        }

        /// <summary>
        /// The OpenRPC document of a service: <paramref name="methods"/> (the served ones, in table order) under the
        /// wire names of the dispatch table, their parameters under their wire names, JSON Schemas of the parameter and
        /// result types (object types once each in <c>components/schemas</c>), XML documentation as descriptions, and
        /// the fixed error codes of the exceptions the documentation declares.
        /// </summary>
        internal static string BuildOpenRpcDocument(INamedTypeSymbol type, IReadOnlyList<DocumentedMethod> methods,
            Compilation compilation, CancellationToken cancellationToken)
        {
            var schemas = new SchemaBuilder(compilation, cancellationToken);
            var info = new JsonObject()
                .Add("title", type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat))
                .Add("version", compilation.Assembly.Identity.Version.ToString());
            if (Documentation.Read(type, compilation, cancellationToken).Summary is { } serviceSummary)
            {
                info.Add("description", serviceSummary);
            }

            var methodObjects = new List<object?>();
            foreach (DocumentedMethod method in methods)
            {
                cancellationToken.ThrowIfCancellationRequested();
                methodObjects.Add(BuildMethodObject(method, method.Spec, schemas, compilation, cancellationToken));
            }

            var document = new JsonObject()
                .Add("openrpc", OpenRpcVersion)
                .Add("info", info)
                .Add("methods", methodObjects);
            if (schemas.Components.Count > 0)
            {
                document.Add("components", new JsonObject().Add("schemas", schemas.Components));
            }

            return JsonText.Write(document);
        }

        /// <summary>
        /// A described method: <paramref name="Method"/> the class's method (or the interface method),
        /// <paramref name="PublicDeclaration"/> the method it implements or overrides that carries <c>[Public]</c>.
        /// </summary>
        internal sealed record DocumentedMethod(IMethodSymbol Method, IMethodSymbol PublicDeclaration, MethodSpec Spec);

        private static JsonObject BuildMethodObject(DocumentedMethod method, MethodSpec spec, SchemaBuilder schemas, Compilation compilation, CancellationToken cancellationToken)
        {
            Documentation docs = Documentation.ForMethod(method, compilation, cancellationToken);
            var result = new JsonObject().Add("name", spec.RpcName);
            if (docs.Summary is { } summary)
            {
                result.Add("description", summary);
            }

            // The symbol whose parameters the spec was made from: the contract method for an explicit implementation.
            IMethodSymbol declared = spec.CallKind == CallKind.ExplicitInterface ? method.PublicDeclaration : method.Method;
            var parameters = new List<object?>();
            for (int i = 0; i < spec.Parameters.Count && i < declared.Parameters.Length; i++)
            {
                ParameterSpec p = spec.Parameters[i];
                if (p.Kind is ParameterKind.CancellationToken or ParameterKind.Connection or ParameterKind.CallContext)
                {
                    continue;
                }

                IParameterSymbol symbol = declared.Parameters[i];
                var descriptor = new JsonObject().Add("name", p.Name);
                if (docs.Parameter(symbol.Name) is { } parameterDoc)
                {
                    descriptor.Add("description", parameterDoc);
                }

                JsonObject schema;
                if (p.Kind == ParameterKind.Progress)
                {
                    // The place of an IProgress<T> holds the caller's token; the reports come as $/progress.
                    schema = new JsonObject().Add("type", new List<object?> { "integer", "null" });
                    descriptor.Add("schema", schema).Add("required", false);
                }
                else if (p.Kind == ParameterKind.ParamArray)
                {
                    // By name the array is sent whole; by position its items follow the fixed arguments one by one.
                    schema = schemas.Schema(symbol.Type, symbol.NullableAnnotation);
                    descriptor.Add("schema", schema).Add("required", false).Add(ParamsArrayExtension, true);
                }
                else
                {
                    schema = schemas.Schema(symbol.Type, symbol.NullableAnnotation);
                    if (p.IsOptional && symbol.HasExplicitDefaultValue && DefaultJson(symbol) is { } defaultValue)
                    {
                        schema = WithDefault(schema, defaultValue.Value);
                    }

                    descriptor.Add("schema", schema).Add("required", !p.IsOptional);
                }

                parameters.Add(descriptor);
            }

            // TinyRpc reads every parameter by position or by name, whichever the request uses.
            result.Add("paramStructure", "either");
            result.Add("params", parameters);

            bool oneWay = FindAttribute(method.Method, KnownNames.OneWayAttribute) is not null
                || FindAttribute(method.PublicDeclaration, KnownNames.OneWayAttribute) is not null;
            if (oneWay)
            {
                // OpenRPC: a method without a result is used only as a notification.
                result.Add(NotificationExtension, true);
            }
            else
            {
                var resultDescriptor = new JsonObject().Add("name", "result");
                if (docs.Returns is { } returns)
                {
                    resultDescriptor.Add("description", returns);
                }

                resultDescriptor.Add("schema", ResultSchema(declared, spec.ReturnKind, schemas));
                result.Add("result", resultDescriptor);
            }

            var errors = new List<object?>();
            var seenCodes = new HashSet<(int, string)>();
            foreach (INamedTypeSymbol exception in docs.Exceptions)
            {
                if (FixedError(exception, compilation, cancellationToken) is { } error && seenCodes.Add(error))
                {
                    var errorObject = new JsonObject().Add("code", error.Code).Add("message", error.Message);
                    errors.Add(errorObject);
                }
            }

            if (errors.Count > 0)
            {
                result.Add("errors", errors);
            }

            return result;
        }

        private static JsonObject ResultSchema(IMethodSymbol method, ReturnKind kind, SchemaBuilder schemas)
        {
            switch (kind)
            {
                case ReturnKind.Void:
                case ReturnKind.Task:
                case ReturnKind.ValueTask:
                    return new JsonObject().Add("type", "null");
                case ReturnKind.TaskOfT:
                case ReturnKind.ValueTaskOfT:
                    var task = (INamedTypeSymbol)method.ReturnType;
                    return schemas.Schema(task.TypeArguments[0], task.TypeArgumentNullableAnnotations[0]);
                case ReturnKind.AsyncEnumerable:
                    // A stream: the token to ask $/enumerator/next with, and values sent with the result.
                    var stream = (INamedTypeSymbol)method.ReturnType;
                    return new JsonObject()
                        .Add("type", "object")
                        .Add("properties", new JsonObject()
                            .Add("token", new JsonObject().Add("type", new List<object?> { "integer", "null" }))
                            .Add("values", new JsonObject().Add("type", "array").Add("items", schemas.Schema(stream.TypeArguments[0], stream.TypeArgumentNullableAnnotations[0]))));
                default:
                    return schemas.Schema(method.ReturnType, method.ReturnNullableAnnotation);
            }
        }

        private static JsonObject WithDefault(JsonObject schema, object? value)
        {
            if (schema.Has("$ref"))
            {
                // Draft 7 ignores the siblings of a $ref: wrap it.
                return new JsonObject().Add("allOf", new List<object?> { schema }).Add("default", value);
            }

            var copy = new JsonObject();
            foreach (KeyValuePair<string, object?> member in schema.Members)
            {
                copy.Add(member.Key, member.Value);
            }

            return copy.Add("default", value);
        }

        /// <summary>The JSON form of a parameter's default value, when it is a constant JSON can hold.</summary>
        private static (object? Value, bool Known)? DefaultJson(IParameterSymbol parameter)
        {
            object? value = parameter.ExplicitDefaultValue;
            ITypeSymbol type = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n ? n.TypeArguments[0] : parameter.Type;
            if (type.TypeKind == TypeKind.Enum && value is not null)
            {
                // An enum travels as its number unless it has a string converter; leave the default out then.
                return EnumAsStrings(type) ? null : (Convert.ToInt64(value, CultureInfo.InvariantCulture), true);
            }

            return value switch
            {
                null => (null, true),
                double d when double.IsNaN(d) || double.IsInfinity(d) => null,
                bool or string or int or long or double or decimal => (value, true),
                float f when !float.IsNaN(f) && !float.IsInfinity(f) => ((double)f, true),
                char c => (c.ToString(), true),
                byte or sbyte or short or ushort or uint => (Convert.ToInt64(value, CultureInfo.InvariantCulture), true),
                ulong u => (u, true),
                _ => null,
            };
        }

        /// <summary>
        /// The code and message every instance of <paramref name="exception"/> carries, when its source fixes them: an
        /// <c>RpcException</c> subclass whose primary constructor or every constructor passes constants for
        /// <c>code</c> and <c>message</c> to <c>RpcException(int code, string message, ...)</c>.
        /// </summary>
        internal static (int Code, string Message)? FixedError(INamedTypeSymbol exception, Compilation compilation, CancellationToken cancellationToken)
        {
            if (exception.BaseType is not { } baseType || MetadataName(baseType) != "TinyRpc.Exceptions.RpcException")
            {
                return null;
            }

            var found = new List<(int, string)?>();
            foreach (SyntaxReference reference in exception.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration)
                {
                    continue;
                }

                SemanticModel model = compilation.GetSemanticModel(declaration.SyntaxTree);
                if (declaration.BaseList?.Types.OfType<PrimaryConstructorBaseTypeSyntax>().FirstOrDefault() is { } primaryBase)
                {
                    found.Add(ConstantCodeAndMessage(model, primaryBase, primaryBase.ArgumentList, cancellationToken));
                }

                foreach (ConstructorDeclarationSyntax constructor in declaration.Members.OfType<ConstructorDeclarationSyntax>())
                {
                    if (constructor.Modifiers.Any(SyntaxKind.StaticKeyword))
                    {
                        continue;
                    }

                    found.Add(constructor.Initializer is { } initializer && initializer.IsKind(SyntaxKind.BaseConstructorInitializer)
                        ? ConstantCodeAndMessage(model, initializer, initializer.ArgumentList, cancellationToken)
                        : null); // this(...) chains or no initializer: not followed
                }
            }

            if (found.Count == 0 || found.Any(static f => f is null))
            {
                return null;
            }

            (int, string) first = found[0]!.Value;
            return found.All(f => f!.Value.Equals(first)) ? first : null;
        }

        private static (int, string)? ConstantCodeAndMessage(SemanticModel model, SyntaxNode call, ArgumentListSyntax arguments, CancellationToken cancellationToken)
        {
            if (model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol constructor
                || constructor.Parameters.Length < 2
                || constructor.Parameters[0] is not { Name: "code", Type.SpecialType: SpecialType.System_Int32 }
                || constructor.Parameters[1] is not { Name: "message", Type.SpecialType: SpecialType.System_String })
            {
                return null;
            }

            object? code = null;
            object? message = null;
            for (int i = 0; i < arguments.Arguments.Count; i++)
            {
                ArgumentSyntax argument = arguments.Arguments[i];
                string? name = argument.NameColon?.Name.Identifier.ValueText ?? (i < constructor.Parameters.Length ? constructor.Parameters[i].Name : null);
                Optional<object?> value = model.GetConstantValue(argument.Expression, cancellationToken);
                if (name == "code")
                {
                    code = value.HasValue ? value.Value : null;
                }
                else if (name == "message")
                {
                    message = value.HasValue ? value.Value : null;
                }
            }

            return code is int c && message is string m ? (c, m) : null;
        }

        /// <summary>
        /// True when <c>[JsonConverter(typeof(JsonStringEnumConverter))]</c> (or its generic form) is on the enum, so that
        /// System.Text.Json writes its names. A converter chosen in the serializer's options is not seen.
        /// </summary>
        private static bool EnumAsStrings(ITypeSymbol enumType)
            => FindJsonAttribute(enumType, "JsonConverterAttribute") is { ConstructorArguments: { Length: 1 } arguments }
               && arguments[0].Value is INamedTypeSymbol converter
               && MetadataName(converter.OriginalDefinition) is "System.Text.Json.Serialization.JsonStringEnumConverter"
                   or "System.Text.Json.Serialization.JsonStringEnumConverter`1";

        /// <summary>
        /// Builds JSON Schemas of .NET types as System.Text.Json writes them by default: object types by their public
        /// properties (<c>[JsonPropertyName]</c> or the property name; <c>[JsonIgnore]</c> left out) as
        /// <c>$ref</c>s into <see cref="Components"/>, so that recursive types end.
        /// </summary>
        private sealed class SchemaBuilder
        {
            private readonly Compilation _compilation;
            private readonly CancellationToken _cancellationToken;
            private readonly Dictionary<ITypeSymbol, string> _names = new(SymbolEqualityComparer.Default);
            private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

            public SchemaBuilder(Compilation compilation, CancellationToken cancellationToken)
            {
                _compilation = compilation;
                _cancellationToken = cancellationToken;
            }

            /// <summary>The named schemas, in the order they were first used.</summary>
            public JsonObject Components { get; } = new();

            public JsonObject Schema(ITypeSymbol type, NullableAnnotation annotation)
            {
                if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
                {
                    return OrNull(NonNullSchema(nullable.TypeArguments[0]));
                }

                // A reference type allows null unless the nullable context says it does not.
                return type.IsReferenceType && annotation != NullableAnnotation.NotAnnotated
                    ? OrNull(NonNullSchema(type))
                    : NonNullSchema(type);
            }

            private static JsonObject OrNull(JsonObject schema)
            {
                if (schema.Count == 0)
                {
                    return schema; // anything, null included
                }

                if (schema.Count == 1 && schema.Get("type") is string simple)
                {
                    return new JsonObject().Add("type", new List<object?> { simple, "null" });
                }

                return new JsonObject().Add("oneOf", new List<object?> { schema, new JsonObject().Add("type", "null") });
            }

            private static JsonObject Simple(string type) => new JsonObject().Add("type", type);

            private static JsonObject Formatted(string type, string format) => new JsonObject().Add("type", type).Add("format", format);

            private JsonObject NonNullSchema(ITypeSymbol type)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                switch (type.SpecialType)
                {
                    case SpecialType.System_Boolean:
                        return Simple("boolean");
                    case SpecialType.System_SByte:
                    case SpecialType.System_Byte:
                    case SpecialType.System_Int16:
                    case SpecialType.System_UInt16:
                    case SpecialType.System_Int32:
                    case SpecialType.System_UInt32:
                    case SpecialType.System_Int64:
                    case SpecialType.System_UInt64:
                        return Simple("integer");
                    case SpecialType.System_Single:
                    case SpecialType.System_Double:
                    case SpecialType.System_Decimal:
                        return Simple("number");
                    case SpecialType.System_Char:
                        return Simple("string").Add("minLength", 1).Add("maxLength", 1);
                    case SpecialType.System_String:
                        return Simple("string");
                    case SpecialType.System_DateTime:
                        return Formatted("string", "date-time");
                    case SpecialType.System_Object:
                        return new JsonObject();
                }

                if (type is IArrayTypeSymbol array)
                {
                    return array.ElementType.SpecialType == SpecialType.System_Byte && array.Rank == 1
                        ? Simple("string").Add("contentEncoding", "base64") // System.Text.Json writes byte[] as base64
                        : Simple("array").Add("items", Schema(array.ElementType, array.ElementNullableAnnotation));
                }

                string metadataName = MetadataName(type);
                switch (metadataName)
                {
                    case "System.Guid":
                        return Formatted("string", "uuid");
                    case "System.DateTimeOffset":
                        return Formatted("string", "date-time");
                    case "System.DateOnly":
                        return Formatted("string", "date");
                    case "System.TimeSpan":
                    case "System.TimeOnly":
                    case "System.Version":
                        return Simple("string");
                    case "System.Uri":
                        return Formatted("string", "uri-reference");
                    case "System.Half":
                        return Simple("number");
                    case "System.Int128":
                    case "System.UInt128":
                        return Simple("integer");
                    case "System.Text.Json.JsonElement":
                    case "System.Text.Json.JsonDocument":
                    case "System.Text.Json.Nodes.JsonNode":
                    case "System.Text.Json.Nodes.JsonValue":
                        return new JsonObject();
                    case "System.Text.Json.Nodes.JsonObject":
                        return Simple("object");
                    case "System.Text.Json.Nodes.JsonArray":
                        return Simple("array");
                }

                if (type.TypeKind == TypeKind.Enum)
                {
                    return Reference(type, EnumSchema);
                }

                if (type is INamedTypeSymbol named)
                {
                    if (DictionaryValue(named) is { } value)
                    {
                        return Simple("object").Add("additionalProperties", Schema(value.Type, value.Annotation));
                    }

                    if (ElementOf(named) is { } element)
                    {
                        JsonObject schema = Simple("array").Add("items", Schema(element.Type, element.Annotation));
                        return IsSet(named) ? schema.Add("uniqueItems", true) : schema;
                    }

                    if (named.TypeKind is TypeKind.Class or TypeKind.Struct or TypeKind.Interface)
                    {
                        return Reference(named, ObjectSchema);
                    }
                }

                return new JsonObject(); // unknown: anything
            }

            private JsonObject Reference(ITypeSymbol type, Func<ITypeSymbol, JsonObject> build)
            {
                ITypeSymbol key = type.WithNullableAnnotation(NullableAnnotation.None);
                if (!_names.TryGetValue(key, out string? name))
                {
                    name = ComponentName(type);
                    _names.Add(key, name);

                    // The name is taken before the schema is built, so a type that contains itself refers to it.
                    Components.Add(name, null);
                    Components.Set(name, build(type));
                }

                return new JsonObject().Add("$ref", "#/components/schemas/" + name);
            }

            /// <summary>A name that fits a JSON Pointer and a URI fragment: letters, digits and underscores.</summary>
            private string ComponentName(ITypeSymbol type)
            {
                string baseName = Sanitize(ReadableName(type));
                string name = baseName;
                for (int n = 2; !_taken.Add(name); n++)
                {
                    name = baseName + "_" + n.ToString(CultureInfo.InvariantCulture);
                }

                return name;
            }

            private static string ReadableName(ITypeSymbol type)
                => type is INamedTypeSymbol { IsGenericType: true } generic
                    ? generic.Name + "Of" + string.Join("And", generic.TypeArguments.Select(ReadableName))
                    : type is IArrayTypeSymbol array ? ReadableName(array.ElementType) + "Array" : type.Name;

            private static string Sanitize(string name)
            {
                var b = new StringBuilder(name.Length);
                foreach (char c in name)
                {
                    b.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? c : '_');
                }

                return b.Length == 0 ? "Type" : b.ToString();
            }

            private JsonObject EnumSchema(ITypeSymbol type)
            {
                var schema = new JsonObject().Add("title", type.Name);
                if (Documentation.Read(type, _compilation, _cancellationToken).Summary is { } summary)
                {
                    schema.Add("description", summary);
                }

                IFieldSymbol[] members = type.GetMembers().OfType<IFieldSymbol>().Where(static f => f.HasConstantValue).ToArray();
                if (EnumAsStrings(type))
                {
                    var names = new List<object?>();
                    foreach (IFieldSymbol member in members)
                    {
                        names.Add(FindJsonAttribute(member, "JsonStringEnumMemberNameAttribute") is { ConstructorArguments: { Length: 1 } a } && a[0].Value is string custom
                            ? custom
                            : member.Name);
                    }

                    return schema.Add("type", "string").Add("enum", names);
                }

                schema.Add("type", "integer");
                bool flags = type.GetAttributes().Any(static a => a.AttributeClass is { } c && MetadataName(c) == "System.FlagsAttribute");
                if (!flags)
                {
                    // Distinct values: two names may share one.
                    var values = new List<object?>();
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (IFieldSymbol member in members)
                    {
                        string text = Convert.ToString(member.ConstantValue, CultureInfo.InvariantCulture) ?? "0";
                        if (seen.Add(text))
                        {
                            values.Add(member.ConstantValue is ulong u ? u : Convert.ToInt64(member.ConstantValue, CultureInfo.InvariantCulture));
                        }
                    }

                    schema.Add("enum", values);
                }

                return schema.Add("x-enum-names", new JsonObject().Also(o =>
                {
                    foreach (IFieldSymbol member in members)
                    {
                        o.Add(member.Name, member.ConstantValue is ulong u ? u : Convert.ToInt64(member.ConstantValue, CultureInfo.InvariantCulture));
                    }
                }));
            }

            private JsonObject ObjectSchema(ITypeSymbol type)
            {
                var schema = new JsonObject().Add("title", type.Name).Add("type", "object");
                if (Documentation.Read(type, _compilation, _cancellationToken).Summary is { } summary)
                {
                    schema.Add("description", summary);
                }

                var properties = new JsonObject();
                var required = new List<object?>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (ISymbol member in SerializedMembers(type))
                {
                    string wireName = FindJsonAttribute(member, "JsonPropertyNameAttribute") is { ConstructorArguments: { Length: 1 } a } && a[0].Value is string n
                        ? n
                        : member.Name;
                    if (!seen.Add(wireName))
                    {
                        continue;
                    }

                    (ITypeSymbol memberType, NullableAnnotation annotation) = member is IPropertySymbol p ? (p.Type, p.NullableAnnotation) : (((IFieldSymbol)member).Type, ((IFieldSymbol)member).NullableAnnotation);
                    JsonObject memberSchema = Schema(memberType, annotation);
                    if (Documentation.Read(member, _compilation, _cancellationToken).Summary is { } memberDoc)
                    {
                        // A $ref cannot take siblings in draft 7: wrap it.
                        memberSchema = memberSchema.Has("$ref")
                            ? new JsonObject().Add("description", memberDoc).Add("allOf", new List<object?> { memberSchema })
                            : WithMember(memberSchema, "description", memberDoc);
                    }

                    properties.Add(wireName, memberSchema);
                    if (member is IPropertySymbol { IsRequired: true } || FindJsonAttribute(member, "JsonRequiredAttribute") is not null)
                    {
                        required.Add(wireName);
                    }
                }

                schema.Add("properties", properties);
                if (required.Count > 0)
                {
                    schema.Add("required", required);
                }

                return schema;
            }

            private static JsonObject WithMember(JsonObject schema, string name, object? value)
            {
                var copy = new JsonObject();
                foreach (KeyValuePair<string, object?> member in schema.Members)
                {
                    copy.Add(member.Key, member.Value);
                }

                return copy.Add(name, value);
            }

            /// <summary>Public instance properties with a getter (and fields marked <c>[JsonInclude]</c>), most derived first.</summary>
            private static IEnumerable<ISymbol> SerializedMembers(ITypeSymbol type)
            {
                var hidden = new HashSet<string>(StringComparer.Ordinal);
                IEnumerable<ITypeSymbol> chain = type.TypeKind == TypeKind.Interface
                    ? new[] { type }.Concat(type.AllInterfaces)
                    : Ancestry(type);
                foreach (ITypeSymbol t in chain)
                {
                    foreach (ISymbol member in t.GetMembers())
                    {
                        if (member.IsStatic || member.IsImplicitlyDeclared && member is not IPropertySymbol || !hidden.Add(member.Name))
                        {
                            continue;
                        }

                        bool ignored = FindJsonAttribute(member, "JsonIgnoreAttribute") is { } ignore
                            && !(ignore.NamedArguments.FirstOrDefault(static a => a.Key == "Condition").Value.Value is int condition && condition != 1); // 1 = Always
                        if (ignored || FindJsonAttribute(member, "JsonExtensionDataAttribute") is not null)
                        {
                            continue;
                        }

                        bool included = FindJsonAttribute(member, "JsonIncludeAttribute") is not null;
                        switch (member)
                        {
                            case IPropertySymbol { IsIndexer: false, GetMethod: not null } property
                                when property.DeclaredAccessibility == Accessibility.Public && property.GetMethod.DeclaredAccessibility == Accessibility.Public || included:
                                if (property.Name != "EqualityContract")
                                {
                                    yield return property;
                                }

                                break;
                            case IFieldSymbol { IsConst: false } field when included && field.DeclaredAccessibility == Accessibility.Public:
                                yield return field;
                                break;
                        }
                    }
                }
            }

            private static IEnumerable<ITypeSymbol> Ancestry(ITypeSymbol type)
            {
                for (ITypeSymbol? t = type; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
                {
                    yield return t;
                }
            }

            private static (ITypeSymbol Type, NullableAnnotation Annotation)? DictionaryValue(INamedTypeSymbol type)
            {
                foreach (INamedTypeSymbol candidate in new[] { type }.Concat(type.AllInterfaces))
                {
                    string name = MetadataName(candidate.OriginalDefinition);
                    if (name is "System.Collections.Generic.IDictionary`2" or "System.Collections.Generic.IReadOnlyDictionary`2")
                    {
                        return (candidate.TypeArguments[1], candidate.TypeArgumentNullableAnnotations[1]);
                    }
                }

                return null;
            }

            private static (ITypeSymbol Type, NullableAnnotation Annotation)? ElementOf(INamedTypeSymbol type)
            {
                foreach (INamedTypeSymbol candidate in new[] { type }.Concat(type.AllInterfaces))
                {
                    if (MetadataName(candidate.OriginalDefinition) == "System.Collections.Generic.IEnumerable`1")
                    {
                        return (candidate.TypeArguments[0], candidate.TypeArgumentNullableAnnotations[0]);
                    }
                }

                return null;
            }

            private static bool IsSet(INamedTypeSymbol type)
                => new[] { type }.Concat(type.AllInterfaces).Any(static t => MetadataName(t.OriginalDefinition)
                    is "System.Collections.Generic.ISet`1" or "System.Collections.Generic.IReadOnlySet`1");
        }

        /// <summary>The System.Text.Json attribute <paramref name="name"/> on <paramref name="symbol"/> (others of that name do not count).</summary>
        private static AttributeData? FindJsonAttribute(ISymbol symbol, string name)
            => FindAttribute(symbol, "System.Text.Json.Serialization." + name);

        /// <summary>
        /// The XML documentation of a symbol as plain text: from the compiler when it parses documentation comments,
        /// else read from the <c>///</c> lines of its declaration (the SDK parses them only when a documentation file
        /// is generated).
        /// </summary>
        internal sealed class Documentation
        {
            private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);

            private Documentation()
            {
            }

            public string? Summary { get; private set; }

            public string? Returns { get; private set; }

            public List<INamedTypeSymbol> Exceptions { get; } = new();

            public string? Parameter(string name) => _parameters.TryGetValue(name, out string? text) ? text : null;

            private bool IsEmpty => Summary is null && Returns is null && _parameters.Count == 0 && Exceptions.Count == 0;

            public static Documentation ForMethod(DocumentedMethod method, Compilation compilation, CancellationToken cancellationToken)
            {
                // The implementation's own documentation first, then what it inherits (<inheritdoc/> or nothing).
                var candidates = new List<ISymbol> { method.Method };
                for (IMethodSymbol? m = method.Method.OverriddenMethod; m is not null; m = m.OverriddenMethod)
                {
                    candidates.Add(m);
                }

                candidates.Add(method.PublicDeclaration);
                foreach (ISymbol candidate in candidates)
                {
                    Documentation docs = Read(candidate, compilation, cancellationToken);
                    if (!docs.IsEmpty)
                    {
                        return docs;
                    }
                }

                return new Documentation();
            }

            public static Documentation Read(ISymbol symbol, Compilation compilation, CancellationToken cancellationToken)
            {
                var docs = new Documentation();
                string? xml = symbol.GetDocumentationCommentXml(cancellationToken: cancellationToken);
                bool resolved = true;
                if (string.IsNullOrWhiteSpace(xml))
                {
                    xml = FromTrivia(symbol, cancellationToken);
                    resolved = false;
                }

                if (string.IsNullOrWhiteSpace(xml))
                {
                    return docs;
                }

                XElement root;
                try
                {
                    root = XElement.Parse(resolved ? xml! : "<member>" + xml + "</member>", LoadOptions.None);
                }
                catch (System.Xml.XmlException)
                {
                    return docs; // malformed documentation: the compiler warns about it
                }

                docs.Summary = Text(root.Element("summary"));
                if (Text(root.Element("remarks")) is { } remarks)
                {
                    docs.Summary = docs.Summary is null ? remarks : docs.Summary + "\n\n" + remarks;
                }

                docs.Returns = Text(root.Element("returns"));
                foreach (XElement parameter in root.Elements("param"))
                {
                    if ((string?)parameter.Attribute("name") is { } name && Text(parameter) is { } text && !docs._parameters.ContainsKey(name))
                    {
                        docs._parameters.Add(name, text);
                    }
                }

                foreach (XElement exception in root.Elements("exception"))
                {
                    if ((string?)exception.Attribute("cref") is { } cref
                        && ResolveType(cref, resolved, symbol, compilation, cancellationToken) is { } type)
                    {
                        docs.Exceptions.Add(type);
                    }
                }

                return docs;
            }

            private static INamedTypeSymbol? ResolveType(string cref, bool resolved, ISymbol context, Compilation compilation, CancellationToken cancellationToken)
            {
                if (resolved)
                {
                    return DocumentationCommentId.GetFirstSymbolForDeclarationId(cref, compilation) as INamedTypeSymbol;
                }

                // An unresolved cref as written: look the name up where the documented member is declared.
                if (context.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not { } syntax)
                {
                    return null;
                }

                string name = cref.Trim();
                if (compilation.GetTypeByMetadataName(name) is { } byFullName)
                {
                    return byFullName;
                }

                SemanticModel model = compilation.GetSemanticModel(syntax.SyntaxTree);
                return model.LookupNamespacesAndTypes(syntax.SpanStart, name: name).OfType<INamedTypeSymbol>().FirstOrDefault();
            }

            private static string? FromTrivia(ISymbol symbol, CancellationToken cancellationToken)
            {
                if (symbol.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not { } syntax)
                {
                    return null;
                }

                // A variable declarator's comment sits on its field declaration; a record's parameter has none.
                SyntaxNode owner = syntax is VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax field } ? field : syntax;
                var lines = new StringBuilder();
                foreach (SyntaxTrivia trivia in owner.GetLeadingTrivia())
                {
                    string text = trivia.ToFullString();
                    foreach (string raw in text.Replace("\r\n", "\n").Split('\n'))
                    {
                        string line = raw.TrimStart();
                        if (line.StartsWith("///", StringComparison.Ordinal))
                        {
                            lines.Append(line.Substring(3)).Append('\n');
                        }
                    }
                }

                return lines.Length == 0 ? null : lines.ToString();
            }

            /// <summary>The text of an element: <c>&lt;c&gt;</c> and <c>&lt;see&gt;</c> as their words, white space collapsed.</summary>
            private static string? Text(XElement? element)
            {
                if (element is null || element.Elements().Any(static e => e.Name.LocalName == "inheritdoc"))
                {
                    return null;
                }

                var b = new StringBuilder();
                Append(b, element);
                string[] paragraphs = b.ToString().Split('\u0001');
                string text = string.Join("\n\n", paragraphs.Select(Collapse).Where(static p => p.Length > 0));
                return text.Length == 0 ? null : text;
            }

            private static void Append(StringBuilder b, XElement element)
            {
                foreach (XNode node in element.Nodes())
                {
                    switch (node)
                    {
                        case XText text:
                            b.Append(text.Value);
                            break;
                        case XElement e when e.Name.LocalName is "see" or "seealso" or "paramref" or "typeparamref":
                            string? target = (string?)e.Attribute("cref") ?? (string?)e.Attribute("name") ?? (string?)e.Attribute("langword") ?? (string?)e.Attribute("href");
                            if (e.Nodes().Any())
                            {
                                Append(b, e);
                            }
                            else if (target is not null)
                            {
                                b.Append(ShortName(target));
                            }

                            break;
                        case XElement e when e.Name.LocalName is "para" or "br":
                            b.Append('\u0001');
                            Append(b, e);
                            b.Append('\u0001');
                            break;
                        case XElement e:
                            Append(b, e);
                            break;
                    }
                }
            }

            private static string ShortName(string cref)
            {
                // "M:Demo.Calc.Add(System.Int32)" reads as "Add"; "T:Demo.Point" as "Point".
                string name = cref.Length > 2 && cref[1] == ':' ? cref.Substring(2) : cref;
                int paren = name.IndexOf('(');
                if (paren >= 0)
                {
                    name = name.Substring(0, paren);
                }

                int dot = name.LastIndexOf('.');
                return dot >= 0 && dot < name.Length - 1 ? name.Substring(dot + 1) : name;
            }

            private static string Collapse(string text)
            {
                var b = new StringBuilder(text.Length);
                bool space = false;
                foreach (char c in text)
                {
                    if (char.IsWhiteSpace(c))
                    {
                        space = b.Length > 0;
                        continue;
                    }

                    if (space)
                    {
                        b.Append(' ');
                        space = false;
                    }

                    b.Append(c);
                }

                return b.ToString();
            }
        }
    }
}

/// <summary>Small helpers for building JSON objects in place.</summary>
internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject value, Action<JsonObject> fill)
    {
        fill(value);
        return value;
    }
}
