using System.Reflection;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace TinyRpc.Packaging.Tests;

/// <summary>
/// The shape of the runtime packages, read from what was built: which namespace depends on which (from the IL of
/// every member and method body, so a dependency hidden in a body counts), and whether each source file's namespace
/// is its folder.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Root = typeof(ArchitectureTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    private static readonly string Configuration = typeof(ArchitectureTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    // Internal helpers linked from src/Shared into the assemblies that need them (names, for example); they use nothing.
    private const string SharedSource = "TinyRpc.Shared";

    private static readonly string[] Packages = ["TinyRpc.Runtime", "TinyRpc.MessagePack", "TinyRpc.NetMQ", "TinyRpc.RabbitMQ", "TinyRpc.AspNetCore", "TinyRpc.Hosting"];

    [Fact]
    public void No_two_namespaces_depend_on_each_other_even_through_others()
    {
        Dictionary<string, Dictionary<string, string>> graph = DependencyGraph();

        List<List<string>> cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();

        Assert.True(cycles.Count == 0, "Namespace cycles:\n" + string.Join("\n", cycles.Select(c =>
            string.Join(", ", c) + ":\n" + string.Join("\n", c.SelectMany(from => graph[from]
                .Where(e => c.Contains(e.Key)).Select(e => $"  {from} -> {e.Key} ({e.Value})"))))));
    }

    [Fact]
    public void Nothing_outside_the_generated_code_namespace_depends_on_it()
    {
        Dictionary<string, Dictionary<string, string>> graph = DependencyGraph();

        string[] offenders = graph.Where(n => n.Key != "TinyRpc.Generated" && n.Value.ContainsKey("TinyRpc.Generated"))
            .Select(n => $"{n.Key} ({n.Value["TinyRpc.Generated"]})").ToArray();

        Assert.True(offenders.Length == 0, "Depend on TinyRpc.Generated: " + string.Join("; ", offenders));
    }

    [Fact]
    public void Exceptions_depend_on_no_other_layer()
    {
        Dictionary<string, Dictionary<string, string>> graph = DependencyGraph();

        // The root namespace holds only vocabulary every layer shares (attributes, RpcId).
        string[] offenders = graph["TinyRpc.Exceptions"].Where(e => e.Key != "TinyRpc").Select(e => $"{e.Key} ({e.Value})").ToArray();

        Assert.True(offenders.Length == 0, "TinyRpc.Exceptions depends on: " + string.Join("; ", offenders));
        Assert.Empty(graph["TinyRpc"]);
    }

    [Fact]
    public void Each_layer_depends_only_on_the_layers_below_it()
    {
        // The table in docs/architecture.md, "Namespaces": what each namespace may use.
        var allowed = new Dictionary<string, string[]>
        {
            ["TinyRpc"] = [],
            ["TinyRpc.Exceptions"] = ["TinyRpc"],
            ["TinyRpc.Protocols"] = ["TinyRpc", "TinyRpc.Exceptions"],
            ["TinyRpc.Protocols.JsonRpc"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols"],
            ["TinyRpc.Protocols.MsgPackRpc"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols"],
            ["TinyRpc.Dispatch"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols"],
            ["TinyRpc.Transports"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols", "TinyRpc.Dispatch"],
            ["TinyRpc.Client"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols", "TinyRpc.Dispatch", "TinyRpc.Transports"],
            ["TinyRpc.Server"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols", "TinyRpc.Dispatch", "TinyRpc.Transports", "TinyRpc.Client"],
            ["TinyRpc.AspNetCore"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols", "TinyRpc.Dispatch", "TinyRpc.Transports", "TinyRpc.Server", "TinyRpc.AspNetCore.Explorer"],
            ["TinyRpc.AspNetCore.Explorer"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols", "TinyRpc.Dispatch"],
            ["TinyRpc.Hosting"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols", "TinyRpc.Protocols.JsonRpc", "TinyRpc.Dispatch", "TinyRpc.Transports", "TinyRpc.Client", "TinyRpc.Server"],
            ["TinyRpc.Generated"] = ["TinyRpc", "TinyRpc.Exceptions", "TinyRpc.Protocols", "TinyRpc.Dispatch", "TinyRpc.Client"],
        };
        Dictionary<string, Dictionary<string, string>> graph = DependencyGraph();

        string[] offenders = graph.SelectMany(n => n.Value
                .Where(e => e.Key != SharedSource && (!allowed.TryGetValue(n.Key, out string[]? below) || !below.Contains(e.Key)))
                .Select(e => $"{n.Key} -> {e.Key} ({e.Value})"))
            .ToArray();

        Assert.True(offenders.Length == 0, "Dependencies outside the layering:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_reader_sees_dependencies_that_only_a_method_body_or_an_attribute_argument_makes()
    {
        // Guards the reader itself, on a type of this assembly whose dependencies are known: BitArray appears only in
        // a method body, UriBuilder only as a typeof() in an attribute argument, Stream only as a method's
        // generic constraint, Version only in an attribute on a parameter.
        using AssemblyDefinition self = AssemblyDefinition.ReadAssembly(typeof(ArchitectureTests).Assembly.Location);
        TypeDefinition fixture = self.MainModule.GetType(typeof(ReaderFixture).FullName!.Replace('+', '/'));

        string[] used = Uses(fixture).Select(static t => t.GetElementType().FullName).Distinct().ToArray();

        Assert.Contains("System.Collections.BitArray", used);
        Assert.Contains("System.UriBuilder", used);
        Assert.Contains("System.IO.Stream", used);
        Assert.Contains("System.Version", used);
    }

    [Fact]
    public void Every_source_file_declares_the_namespace_of_its_folder()
    {
        var wrong = new List<string>();
        foreach (string package in Packages)
        {
            string directory = Path.Combine(Root, "src", package);
            foreach (string file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(directory, file);
                if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
                {
                    continue;
                }

                string? folder = Path.GetDirectoryName(relative);
                string expected = string.IsNullOrEmpty(folder) ? "TinyRpc" : "TinyRpc." + folder.Replace(Path.DirectorySeparatorChar, '.');
                string text = File.ReadAllText(file);
                Match declared = NamespaceLine().Match(text);
                if (!declared.Success)
                {
                    // Only a file of global usings may go without a file-scoped namespace.
                    if (!GlobalUsingsOnly().IsMatch(text))
                    {
                        wrong.Add($"{package}/{relative}: no file-scoped namespace");
                    }
                }
                else if (declared.Groups[1].Value != expected)
                {
                    wrong.Add($"{package}/{relative}: {declared.Groups[1].Value}, expected {expected}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Every_linked_shared_file_declares_the_namespace_of_the_folder_it_is_linked_into()
    {
        var wrong = new List<string>();
        int linked = 0;
        foreach (string package in Packages)
        {
            string project = File.ReadAllText(Path.Combine(Root, "src", package, package + ".csproj"));
            foreach (Match link in SharedLink().Matches(project))
            {
                linked++;
                string? folder = Path.GetDirectoryName(link.Groups[2].Value.Replace('\\', Path.DirectorySeparatorChar));
                string expected = string.IsNullOrEmpty(folder) ? "TinyRpc" : "TinyRpc." + folder.Replace(Path.DirectorySeparatorChar, '.');
                Match declared = NamespaceLine().Match(File.ReadAllText(Path.Combine(Root, "src", "Shared", link.Groups[1].Value)));
                if (!declared.Success || declared.Groups[1].Value != expected)
                {
                    wrong.Add($"{package}: {link.Groups[1].Value} linked as {link.Groups[2].Value}, expected {expected}");
                }
            }
        }

        Assert.True(linked >= 4, $"only {linked} linked files found: the pattern no longer matches the project files");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Each_public_type_has_its_own_file_except_small_families()
    {
        // Families of a few lines each, read together: the capability interfaces, and a call with its per-transport form.
        string[] families = ["TransportCapabilities.cs", "RpcCall.cs"];
        var crowded = new List<string>();
        foreach (string package in Packages)
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "src", package), "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(Path.Combine(Root, "src", package), file);
                if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
                {
                    continue;
                }

                int count = PublicTopLevelType().Count(File.ReadAllText(file));
                if (count > 1 && !families.Contains(Path.GetFileName(file)))
                {
                    crowded.Add($"{Path.GetFileName(file)}: {count}");
                }
            }
        }

        Assert.True(crowded.Count == 0, string.Join("\n", crowded));
    }

    // Namespace -> (namespace it depends on -> one example "Type -> Type" that makes the dependency).
    private static Dictionary<string, Dictionary<string, string>> DependencyGraph()
    {
        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (string package in Packages)
        {
            string path = Path.Combine(Root, "src", package, "bin", Configuration, "net10.0", package + ".dll");
            using AssemblyDefinition assembly = AssemblyDefinition.ReadAssembly(path);
            foreach (TypeDefinition type in assembly.MainModule.GetTypes())
            {
                string from = NamespaceOf(type);
                if (!IsOurs(from))
                {
                    continue;
                }

                if (!graph.TryGetValue(from, out Dictionary<string, string>? edges))
                {
                    graph[from] = edges = new(StringComparer.Ordinal);
                }

                foreach (TypeReference used in Uses(type))
                {
                    string to = NamespaceOf(used);
                    if (to != from && IsOurs(to))
                    {
                        edges.TryAdd(to, $"{type.FullName} uses {used.FullName}");
                    }
                }
            }
        }

        return graph;
    }

    private static bool IsOurs(string ns) => ns == "TinyRpc" || ns.StartsWith("TinyRpc.", StringComparison.Ordinal);

    private static string NamespaceOf(TypeReference type)
    {
        type = type.GetElementType();
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    private static IEnumerable<TypeReference> Uses(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            if (t is null)
            {
                return;
            }

            found.Add(t);
            if (t is GenericInstanceType generic)
            {
                generic.GenericArguments.ToList().ForEach(Add);
            }

            if (t is TypeSpecification spec)
            {
                Add(spec.ElementType);
            }
        }

        void AddArgument(CustomAttributeArgument argument)
        {
            Add(argument.Type);
            switch (argument.Value)
            {
                case TypeReference typeValue: // typeof(X)
                    Add(typeValue);
                    break;
                case CustomAttributeArgument boxed:
                    AddArgument(boxed);
                    break;
                case CustomAttributeArgument[] array:
                    array.ToList().ForEach(AddArgument);
                    break;
            }
        }

        void AddAttributes(Mono.Cecil.ICustomAttributeProvider provider)
        {
            foreach (CustomAttribute attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
                try
                {
                    attribute.ConstructorArguments.ToList().ForEach(AddArgument);
                    attribute.Properties.Concat(attribute.Fields).ToList().ForEach(named => AddArgument(named.Argument));
                }
                catch (AssemblyResolutionException)
                {
                    // The arguments of an attribute of another package (LoggerMessage's LogLevel, say) decode only
                    // with that package at hand; their values are that package's types, never ours.
                }
            }
        }

        void AddMember(MemberReference member)
        {
            Add(member.DeclaringType);
            switch (member)
            {
                case MethodReference method:
                    Add(method.ReturnType);
                    method.Parameters.ToList().ForEach(p => Add(p.ParameterType));
                    if (method is GenericInstanceMethod genericMethod)
                    {
                        genericMethod.GenericArguments.ToList().ForEach(Add);
                    }

                    break;
                case FieldReference field:
                    Add(field.FieldType);
                    break;
            }
        }

        Add(type.BaseType);
        type.Interfaces.ToList().ForEach(i => Add(i.InterfaceType));
        AddAttributes(type);
        foreach (GenericParameter parameter in type.GenericParameters)
        {
            AddAttributes(parameter);
            parameter.Constraints.ToList().ForEach(c => Add(c.ConstraintType));
        }

        foreach (FieldDefinition field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }

        foreach (PropertyDefinition property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }

        foreach (EventDefinition e in type.Events)
        {
            Add(e.EventType);
            AddAttributes(e);
        }

        foreach (MethodDefinition method in type.Methods)
        {
            AddMember(method);
            AddAttributes(method);
            AddAttributes(method.MethodReturnType);
            foreach (ParameterDefinition parameter in method.Parameters)
            {
                AddAttributes(parameter);
            }

            foreach (GenericParameter parameter in method.GenericParameters)
            {
                AddAttributes(parameter);
                parameter.Constraints.ToList().ForEach(c => Add(c.ConstraintType));
            }

            method.Overrides.ToList().ForEach(AddMember);
            if (!method.HasBody)
            {
                continue;
            }

            method.Body.Variables.ToList().ForEach(v => Add(v.VariableType));
            method.Body.ExceptionHandlers.ToList().ForEach(h => Add(h.CatchType));
            foreach (Instruction instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Add(t);
                        break;
                    case MemberReference m:
                        AddMember(m);
                        break;
                }
            }
        }

        return found;
    }

    // Tarjan's algorithm: the groups of namespaces that reach each other.
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        int next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in graph.TryGetValue(v, out Dictionary<string, string>? edges) ? edges.Keys.ToList() : [])
            {
                if (!index.TryGetValue(w, out int seen))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == index[v])
            {
                var group = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    group.Add(w);
                }
                while (w != v);
                result.Add(group);
            }
        }

        foreach (string v in graph.Keys.ToList())
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    [AttributeUsage(AttributeTargets.All)]
    private sealed class MarkAttribute(Type? type = null) : Attribute
    {
        public Type? Type { get; } = type;
    }

    [Mark(typeof(UriBuilder))]
    private static class ReaderFixture
    {
        public static int Count() => new System.Collections.BitArray(3).Count;

        public static int Length<T>(T value)
            where T : System.IO.Stream
            => value.ReadByte();

        public static int Marked([Mark(typeof(Version))] int value) => value;
    }

    [GeneratedRegex(@"^namespace ([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^(?:\[[^\]]*\]\s*)*public (?:static |sealed |abstract |readonly |partial |record |ref |unsafe )*(?:class|interface|struct|enum|record|delegate) ", RegexOptions.Multiline)]
    private static partial Regex PublicTopLevelType();

    [GeneratedRegex(@"<Compile Include=""\.\.\\Shared\\([\w.]+\.cs)"" Link=""([^""]+)""")]
    private static partial Regex SharedLink();

    [GeneratedRegex(@"\A(?:\s*(?://[^\n]*|global using [\w.]+;))*\s*\z")]
    private static partial Regex GlobalUsingsOnly();
}
