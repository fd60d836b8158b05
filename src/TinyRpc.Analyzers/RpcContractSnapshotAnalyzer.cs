using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using TinyRpc.Generators;
using TinyRpc.Generators.Contract;
using TinyRpc.Generators.Model;
using Parser = TinyRpc.Generators.RpcGenerator.Parser;

namespace TinyRpc.Analyzers;

/// <summary>
/// Compares the wire contract of every <c>[RpcService]</c> class and interface with the project's contract snapshot
/// (the <c>AdditionalFiles</c> item whose name ends with <c>.rpc-contract.json</c>) and reports what breaks callers
/// that follow the snapshot (warnings) and what extends it compatibly (information). Without a snapshot it reports
/// nothing. The compiled contract comes from the generator's own parser, so the names compared are those the
/// dispatch tables and proxies use.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RpcContractSnapshotAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the path of the snapshot a diagnostic compares with.</summary>
    public const string SnapshotPathProperty = "SnapshotPath";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.RpcMethodRemoved,
        Descriptors.RpcParametersChanged,
        Descriptors.RpcResultChanged,
        Descriptors.RpcOneWayChanged,
        Descriptors.RpcContractExtended,
        Descriptors.ContractSnapshotUnreadable,
        Descriptors.RpcServiceRemoved);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.RpcServiceAttribute) is null)
            {
                return;
            }

            AdditionalText[] files = start.Options.AdditionalFiles
                .Where(static f => f.Path.EndsWith(ContractJson.FileSuffix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(static f => f.Path, StringComparer.Ordinal)
                .ToArray();
            if (files.Length == 0)
            {
                return;
            }

            if (files.Length > 1)
            {
                string all = string.Join(", ", files.Select(static f => System.IO.Path.GetFileName(f.Path)));
                start.RegisterCompilationEndAction(end =>
                {
                    foreach (AdditionalText file in files)
                    {
                        end.ReportDiagnostic(Diagnostic.Create(Descriptors.ContractSnapshotUnreadable, FileLocation(file.Path, null, default),
                            file.Path, $"the project has {files.Length} contract snapshots ({all}); keep one"));
                    }
                });
                return;
            }

            AdditionalText snapshotFile = files[0];
            SourceText? text = snapshotFile.GetText(start.CancellationToken);
            IReadOnlyList<SnapshotService>? services = null;
            string? error = "the file cannot be opened";
            TextSpan errorSpan = default;
            if (text is not null)
            {
                services = ContractSnapshotReader.Read(text, out error, out errorSpan);
            }

            if (services is null)
            {
                start.RegisterCompilationEndAction(end => end.ReportDiagnostic(Diagnostic.Create(Descriptors.ContractSnapshotUnreadable,
                    FileLocation(snapshotFile.Path, text, errorSpan), snapshotFile.Path, error)));
                return;
            }

            var snapshot = new Snapshot(snapshotFile.Path, text!, services);
            start.RegisterSymbolAction(c => AnalyzeType(c, snapshot), SymbolKind.NamedType);
            start.RegisterCompilationEndAction(c => ReportRemovedServices(c, snapshot));
        });
    }

    /// <summary>The wire contract of every <c>[RpcService]</c> type of <paramref name="compilation"/>, as a snapshot's text.</summary>
    internal static string WriteSnapshot(Compilation compilation, CancellationToken cancellationToken)
    {
        var services = new List<ContractServiceSpec>();
        foreach (INamedTypeSymbol type in SourceTypes.All(compilation))
        {
            if (Parser.FindAttribute(type, KnownNames.RpcServiceAttribute) is { } attribute
                && Parser.CollectContractMethods(type, attribute, compilation, cancellationToken) is { } methods)
            {
                services.Add(Parser.ToContractService(type, methods.Select(static m => m.Spec)));
            }
        }

        return ContractJson.Write(services);
    }

    private static void AnalyzeType(SymbolAnalysisContext context, Snapshot snapshot)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (Parser.FindAttribute(type, KnownNames.RpcServiceAttribute) is not { } attribute
            || Parser.CollectContractMethods(type, attribute, context.Compilation, context.CancellationToken) is not { } methods)
        {
            return;
        }

        var report = new Reporter(context, snapshot, type);
        string service = ServiceName(type);
        if (!snapshot.Services.TryGetValue(service, out SnapshotService? recorded))
        {
            report.At(Descriptors.RpcContractExtended, report.TypeLocation, $"'{service}' is a new service");
            return;
        }

        Dictionary<string, List<ContractMethodSpec>> before = recorded.Methods
            .GroupBy(static m => m.Name, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.ToList(), StringComparer.Ordinal);
        Dictionary<string, List<Parser.ContractMethod>> now = methods
            .GroupBy(static m => m.Spec.Name, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.ToList(), StringComparer.Ordinal);

        foreach (string removed in before.Keys.Where(n => !now.ContainsKey(n)).OrderBy(static n => n, StringComparer.Ordinal))
        {
            report.At(Descriptors.RpcMethodRemoved, report.TypeLocation, removed, service);
        }

        foreach (KeyValuePair<string, List<Parser.ContractMethod>> entry in now)
        {
            if (!before.TryGetValue(entry.Key, out List<ContractMethodSpec>? recordedShapes))
            {
                foreach (Parser.ContractMethod method in entry.Value)
                {
                    report.At(Descriptors.RpcContractExtended, report.MethodLocation(method), $"'{entry.Key}' of '{service}' is a new method");
                }

                continue;
            }

            // An interface may send one wire method from several C# methods (a sync and an async variant); each is
            // compared with the recorded shape it is closest to.
            foreach (Parser.ContractMethod method in entry.Value)
            {
                if (recordedShapes.Contains(method.Spec))
                {
                    continue;
                }

                List<Change> changes = recordedShapes
                    .Select(old => Compare(old, method, service, report))
                    .OrderBy(static c => c.Count(static x => x.Descriptor.DefaultSeverity == DiagnosticSeverity.Warning))
                    .ThenBy(static c => c.Count)
                    .First();
                foreach (Change change in changes)
                {
                    report.At(change.Descriptor, change.Location, change.Arguments);
                }
            }
        }
    }

    /// <summary>What changed from <paramref name="old"/> to <paramref name="method"/>, each change with where to report it.</summary>
    private static List<Change> Compare(ContractMethodSpec old, Parser.ContractMethod method, string service, Reporter report)
    {
        var changes = new List<Change>();
        ContractMethodSpec now = method.Spec;
        Location methodLocation = report.MethodLocation(method);

        void Breaking(DiagnosticDescriptor descriptor, Location location, string detail) => changes.Add(new Change(descriptor, location, [now.Name, service, detail]));
        void Compatible(Location location, string detail) => changes.Add(new Change(Descriptors.RpcContractExtended, location, [$"'{now.Name}' of '{service}' {detail}"]));

        if (old.OneWay != now.OneWay)
        {
            Breaking(Descriptors.RpcOneWayChanged, methodLocation, now.OneWay
                ? "is sent one-way, as a notification without a reply, where it was a call"
                : "is sent as a call that waits for a reply, where it was one-way");
        }

        int shared = Math.Min(old.Parameters.Count, now.Parameters.Count);
        for (int i = 0; i < shared; i++)
        {
            ContractParameterSpec was = old.Parameters[i];
            ContractParameterSpec is_ = now.Parameters[i];
            Location location = report.ParameterLocation(method, i);
            // A proxy sends arguments by position: an interface parameter's name reaches the wire only as an
            // [RpcName] that the classes implementing the interface take over (they otherwise use their own names).
            if (was.Name != is_.Name && (method.Method.ContainingType.TypeKind != TypeKind.Interface
                || i < method.Parameters.Length && Parser.FindAttribute(method.Parameters[i], KnownNames.RpcNameAttribute) is not null))
            {
                Breaking(Descriptors.RpcParametersChanged, location,
                    $"reads parameter {i + 1} by name as '{is_.Name}' where it was '{was.Name}'");
            }

            if (was.Type != is_.Type)
            {
                if (is_.Type == was.Type + "?")
                {
                    Compatible(location, $"accepts null for parameter '{is_.Name}' ('{is_.Type}' where it was '{was.Type}')");
                }
                else
                {
                    Breaking(Descriptors.RpcParametersChanged, location, $"takes parameter '{is_.Name}' as '{is_.Type}' where it was '{was.Type}'");
                }
            }

            if (was.Optional && !is_.Optional && !is_.IsParams)
            {
                Breaking(Descriptors.RpcParametersChanged, location, $"no longer lets callers leave out parameter '{is_.Name}'");
            }
            else if (!was.Optional && is_.Optional)
            {
                Compatible(location, $"makes parameter '{is_.Name}' optional");
            }

            if (was.IsParams != is_.IsParams)
            {
                Breaking(Descriptors.RpcParametersChanged, location, is_.IsParams
                    ? $"now gathers the remaining arguments into parameter '{is_.Name}' (params)"
                    : $"no longer gathers the remaining arguments into parameter '{is_.Name}' (params)");
            }
        }

        for (int i = shared; i < now.Parameters.Count; i++)
        {
            ContractParameterSpec added = now.Parameters[i];
            Location location = report.ParameterLocation(method, i);
            if (added.Optional || added.IsParams)
            {
                Compatible(location, $"has a new optional parameter '{added.Name}' at the end");
            }
            else
            {
                Breaking(Descriptors.RpcParametersChanged, location, $"has a new required parameter '{added.Name}'");
            }
        }

        for (int i = shared; i < old.Parameters.Count; i++)
        {
            Breaking(Descriptors.RpcParametersChanged, methodLocation, $"no longer takes parameter '{old.Parameters[i].Name}'");
        }

        if (old.Result != now.Result)
        {
            Location location = report.ResultLocation(method);
            if (old.Result is null)
            {
                Compatible(location, $"returns a result ('{now.Result}') where it returned none");
            }
            else if (now.Result is null)
            {
                Breaking(Descriptors.RpcResultChanged, location, $"returns no result where it returned '{old.Result}'");
            }
            else if (old.Result == now.Result + "?")
            {
                Compatible(location, $"never returns null ('{now.Result}' where it was '{old.Result}')");
            }
            else
            {
                Breaking(Descriptors.RpcResultChanged, location, $"returns '{now.Result}' where it returned '{old.Result}'");
            }
        }

        return changes;
    }

    private static void ReportRemovedServices(CompilationAnalysisContext context, Snapshot snapshot)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (INamedTypeSymbol type in SourceTypes.All(context.Compilation))
        {
            if (Parser.FindAttribute(type, KnownNames.RpcServiceAttribute) is not null)
            {
                present.Add(ServiceName(type));
            }
        }

        foreach (SnapshotService service in snapshot.Services.Values.OrderBy(static s => s.Name, StringComparer.Ordinal))
        {
            if (!present.Contains(service.Name))
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.RpcServiceRemoved, FileLocation(snapshot.Path, snapshot.Text, service.Span),
                    snapshot.Properties, service.Name));
            }
        }
    }

    private static string ServiceName(INamedTypeSymbol type) => Parser.ContractTypeName(type.ToDisplayString(Parser.TypeOfFormat));

    private static Location FileLocation(string path, SourceText? text, TextSpan span)
        => text is null ? Location.Create(path, default, default) : Location.Create(path, span, text.Lines.GetLinePositionSpan(span));

    private sealed class Snapshot(string path, SourceText text, IReadOnlyList<SnapshotService> services)
    {
        public string Path { get; } = path;

        public SourceText Text { get; } = text;

        public Dictionary<string, SnapshotService> Services { get; } = services.ToDictionary(static s => s.Name, StringComparer.Ordinal);

        public ImmutableDictionary<string, string?> Properties { get; } = ImmutableDictionary<string, string?>.Empty.Add(SnapshotPathProperty, path);
    }

    private sealed record Change(DiagnosticDescriptor Descriptor, Location Location, object[] Arguments);

    /// <summary>Reports on one service, at the most precise place in this compilation's source.</summary>
    private sealed class Reporter(SymbolAnalysisContext context, Snapshot snapshot, INamedTypeSymbol type)
    {
        public Location TypeLocation { get; } = type.Locations.FirstOrDefault(l => IsInSource(l, context.Compilation)) ?? type.Locations[0];

        public void At(DiagnosticDescriptor descriptor, Location location, params object[] arguments)
            => context.ReportDiagnostic(Diagnostic.Create(descriptor, location, snapshot.Properties, arguments));

        public Location MethodLocation(Parser.ContractMethod method)
            => method.Method.Locations.FirstOrDefault(l => IsInSource(l, context.Compilation)) ?? TypeLocation;

        public Location ParameterLocation(Parser.ContractMethod method, int index)
            => index < method.Parameters.Length && method.Parameters[index].Locations.FirstOrDefault(l => IsInSource(l, context.Compilation)) is { } location
                ? location
                : MethodLocation(method);

        public Location ResultLocation(Parser.ContractMethod method)
            => method.Method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) is MethodDeclarationSyntax declaration
               && IsInSource(declaration.ReturnType.GetLocation(), context.Compilation)
                ? declaration.ReturnType.GetLocation()
                : MethodLocation(method);

        private static bool IsInSource(Location location, Compilation compilation)
            => location.IsInSource && compilation.ContainsSyntaxTree(location.SourceTree!);
    }
}
