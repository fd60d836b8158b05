using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using TinyRpc.Analyzers.CodeFixes;
using Verify = TinyRpc.Analyzers.Tests.Verifier<TinyRpc.Analyzers.RpcContractSnapshotAnalyzer, TinyRpc.Analyzers.CodeFixes.UpdateContractSnapshotCodeFix>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>Where and how the snapshot diagnostics are reported, unreadable snapshots, and the fix that updates the snapshot.</summary>
public class ContractSnapshotDiagnosticTests
{
    private const string SnapshotFile = "Consumer.rpc-contract.json";

    private const string Before = """
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        namespace Demo;

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
        public partial class Calc
        {
            [Public] public int Add(int a, int b) => a + b;
            [Public] public int Negate(int value) => -value;
            [Public] public void Reset() { }
        }

        [RpcService]
        public interface IAlerts
        {
            [OneWay] void Raise(string text);
        }
        """;

    private static Verify.Test Test(string source, string snapshot)
    {
        var test = new Verify.Test { TestCode = source };
        test.TestState.AdditionalFiles.Add((SnapshotFile, snapshot));
        return test;
    }

    [Fact]
    public Task Each_breaking_change_is_reported_on_the_member_it_concerns_with_a_message_that_says_what()
    {
        Verify.Test test = Test("""
            using System.Threading.Tasks;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            namespace Demo;

            [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
            public partial class {|#0:Calc|}
            {
                [Public] public int Add(int a, long {|#1:b|}, int {|#2:c|}) => 0;
                [Public] public {|#3:string|} Negate(int value) => "";
                [Public] public int {|#4:Square|}(int value, int {|#5:power|} = 2) => 0;
            }

            [RpcService]
            public interface IAlerts
            {
                void {|#6:Raise|}(string text);
            }
            """, ContractSnapshots.Write(Before));
        test.ExpectedDiagnostics.AddRange(
        [
            new DiagnosticResult(DiagnosticIds.RpcMethodRemoved, DiagnosticSeverity.Warning).WithLocation(0)
                .WithMessage("'Demo.Calc' no longer serves 'reset', which the contract snapshot lists; callers of 'reset' get 'method not found'. If that is intended, update the snapshot"),
            new DiagnosticResult(DiagnosticIds.RpcParametersChanged, DiagnosticSeverity.Warning).WithLocation(1)
                .WithMessage("'add' of 'Demo.Calc' takes parameter 'b' as 'long' where it was 'int', which breaks callers that follow the contract snapshot; if that is intended, update the snapshot"),
            new DiagnosticResult(DiagnosticIds.RpcParametersChanged, DiagnosticSeverity.Warning).WithLocation(2)
                .WithMessage("'add' of 'Demo.Calc' has a new required parameter 'c', which breaks callers that follow the contract snapshot; if that is intended, update the snapshot"),
            new DiagnosticResult(DiagnosticIds.RpcResultChanged, DiagnosticSeverity.Warning).WithLocation(3)
                .WithMessage("'negate' of 'Demo.Calc' returns 'string' where it returned 'int', which breaks callers that follow the contract snapshot; if that is intended, update the snapshot"),
            new DiagnosticResult(DiagnosticIds.RpcContractExtended, DiagnosticSeverity.Info).WithLocation(4)
                .WithMessage("'square' of 'Demo.Calc' is a new method; compatible with the contract snapshot, which does not record it yet"),
            new DiagnosticResult(DiagnosticIds.RpcOneWayChanged, DiagnosticSeverity.Warning).WithLocation(6)
                .WithMessage("'Raise' of 'Demo.IAlerts' is sent as a call that waits for a reply, where it was one-way, which breaks callers that follow the contract snapshot; if that is intended, update the snapshot"),
        ]);
        return Verify.FixAsync(test);
    }

    [Fact]
    public Task An_optional_parameter_added_at_the_end_is_information_on_that_parameter()
    {
        Verify.Test test = Test(Before.Replace("int Add(int a, int b)", "int Add(int a, int b, int {|#0:c|} = 0)", StringComparison.Ordinal), ContractSnapshots.Write(Before));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.RpcContractExtended, DiagnosticSeverity.Info).WithLocation(0)
            .WithMessage("'add' of 'Demo.Calc' has a new optional parameter 'c' at the end; compatible with the contract snapshot, which does not record it yet"));
        return Verify.FixAsync(test);
    }

    [Fact]
    public Task A_removed_service_is_reported_at_its_entry_in_the_snapshot()
    {
        string snapshot = ContractSnapshots.Write(Before);
        string source = Before.Replace("public interface IAlerts", "public interface {|#0:INotices|}", StringComparison.Ordinal);
        Verify.Test test = Test(source, snapshot);
        int line = Array.FindIndex(snapshot.Split('\n'), static l => l.Contains("\"Demo.IAlerts\"", StringComparison.Ordinal));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.RpcServiceRemoved, DiagnosticSeverity.Warning)
            .WithSpan(SnapshotFile, line, 5, line + 5, 6)
            .WithMessage("The contract snapshot lists the service 'Demo.IAlerts', which this project no longer has; callers of its methods break. If that is intended, update the snapshot"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.RpcContractExtended, DiagnosticSeverity.Info).WithLocation(0)
            .WithMessage("'Demo.INotices' is a new service; compatible with the contract snapshot, which does not record it yet"));
        return Verify.FixAsync(test);
    }

    [Fact]
    public Task Without_a_snapshot_nothing_is_reported() => Verify.AnalyzeAsync(Before);

    [Fact]
    public async Task The_fix_writes_the_current_contract_into_the_snapshot()
    {
        string after = """
            using System.Threading.Tasks;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            namespace Demo;

            [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
            public partial class Calc
            {
                [Public] public int Add(int a, int {|TRPC0021:c|}) => a + c;
                [Public] public int {|TRPC0024:Subtract|}(int a, int b) => a - b;
                [Public] public int Negate(int value) => -value;
            }

            [RpcService]
            public interface IAlerts
            {
                [OneWay] void Raise(string text);
            }
            """;
        string source = after.Replace("{|TRPC0021:c|}", "c", StringComparison.Ordinal).Replace("{|TRPC0024:Subtract|}", "Subtract", StringComparison.Ordinal);
        var test = new Verify.Test
        {
            TestCode = after.Replace("public partial class Calc", "public partial class {|TRPC0020:Calc|}", StringComparison.Ordinal),
            FixedCode = source,
            NumberOfFixAllIterations = 1,
            NumberOfFixAllInDocumentIterations = 1,
            NumberOfFixAllInProjectIterations = 1,
        };
        test.TestState.AdditionalFiles.Add((SnapshotFile, ContractSnapshots.Write(Before)));
        test.FixedState.AdditionalFiles.Add((SnapshotFile, ContractSnapshots.Write(source)));
        await Verify.FixAsync(test);
    }

    // ---- unreadable snapshots ------------------------------------------------------------------------------

    public static TheoryData<string, string, int, int, string> Unreadable() => new()
    {
        { "empty", "", 1, 1, "line 1, column 1: the document ends where a value was expected" },
        { "not JSON", "services:\n  - Demo.Calc\n", 1, 1, "line 1, column 1: unexpected 's' where a value was expected" },
        { "cut short", "{\n  \"tinyrpcContract\": 1,\n  \"services\": [\n", 4, 1, "line 4, column 1: the document ends where a value was expected" },
        { "trailing comma", "{\"tinyrpcContract\": 1, \"services\": [],}", 1, 39, "line 1, column 39: expected a key in double quotes" },
        { "comment", "// snapshot\n{}", 1, 1, "line 1, column 1: unexpected '/' where a value was expected" },
        { "other format version", "{\"tinyrpcContract\": 2, \"services\": []}", 1, 21, "line 1, column 21: \"tinyrpcContract\" must be 1, the only format this version of TinyRpc reads" },
        { "no version", "{\"services\": []}", 1, 1, "line 1, column 1: the document has no \"tinyrpcContract\"" },
        { "unknown key", "{\"tinyrpcContract\": 1, \"services\": [], \"extra\": 1}", 1, 40, "line 1, column 40: the document has an unknown key \"extra\"; the keys are \"tinyrpcContract\", \"services\"" },
        { "duplicate key", "{\"tinyrpcContract\": 1, \"tinyrpcContract\": 1}", 1, 24, "line 1, column 24: the key \"tinyrpcContract\" appears twice in one object" },
        { "wrong type", "{\"tinyrpcContract\": 1, \"services\": [{\"name\": \"A\", \"methods\": [{\"name\": \"m\", \"parameters\": [], \"result\": 5}]}]}", 1, 105, "line 1, column 105: the method 'm' of 'A' \"result\" must be a string" },
        { "parameter without type", "{\"tinyrpcContract\": 1, \"services\": [{\"name\": \"A\", \"methods\": [{\"name\": \"m\", \"parameters\": [{\"name\": \"x\"}], \"result\": null}]}]}", 1, 92, "line 1, column 92: a parameter of the method 'm' of 'A' has no \"type\"" },
        { "service twice", "{\"tinyrpcContract\": 1, \"services\": [{\"name\": \"A\", \"methods\": []}, {\"name\": \"A\", \"methods\": []}]}", 1, 76, "line 1, column 76: the service 'A' is listed twice" },
        { "bad escape", "{\"tinyrpcContract\": 1, \"services\": [{\"name\": \"A\\q\", \"methods\": []}]}", 1, 48, "line 1, column 48: '\\q' is not a JSON escape" },
        { "raw line break in a string", "{\"tinyrpcContract\": 1, \"services\": [{\"name\": \"A\nB\", \"methods\": []}]}", 1, 48, "line 1, column 48: the character U+000A inside a string; write it as an escape" },
        { "text after the end", "{\"tinyrpcContract\": 1, \"services\": []} {}", 1, 40, "line 1, column 40: more text after the end of the document" },
        { "nested too deeply", new string('[', 100), 1, 34, "line 1, column 34: nested too deeply" },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task An_unreadable_snapshot_gives_one_diagnostic_that_says_where_and_why(string what, string text, int line, int column, string reason)
    {
        var diagnostics = await ContractSnapshots.AnalyzeAsync(Before, (ContractSnapshots.Path, text));
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.ContractSnapshotUnreadable, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal($"The contract snapshot '{ContractSnapshots.Path}' cannot be read, so the contract is not checked: {reason}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        Assert.Equal(ContractSnapshots.Path, span.Path);
        Assert.True((line, column) == (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1), $"{what}: reported at {span}");
    }

    [Fact]
    public async Task Every_truncation_of_a_snapshot_is_read_or_refused_with_one_diagnostic_and_never_crashes()
    {
        string snapshot = ContractSnapshots.Write(Before);
        for (int length = 0; length < snapshot.Length; length++)
        {
            var diagnostics = await ContractSnapshots.AnalyzeAsync(Before, (ContractSnapshots.Path, snapshot[..length]));
            bool complete = snapshot[..length].TrimEnd() == snapshot.TrimEnd();
            Assert.True(complete ? diagnostics.IsEmpty : diagnostics.Length == 1 && diagnostics[0].Id == DiagnosticIds.ContractSnapshotUnreadable,
                $"length {length}: {string.Join("\n", diagnostics)}");
        }

        Assert.Empty(await ContractSnapshots.AnalyzeAsync(Before, (ContractSnapshots.Path, snapshot)));
    }

    [Fact]
    public async Task Two_snapshots_in_one_project_are_both_reported_and_neither_is_used()
    {
        string snapshot = ContractSnapshots.Write(Before);
        var diagnostics = await ContractSnapshots.AnalyzeAsync(Before.Replace("[Public] public void Reset() { }", "", StringComparison.Ordinal),
            ("/project/A.rpc-contract.json", snapshot), ("/project/B.rpc-contract.json", snapshot));
        Assert.Equal(["/project/A.rpc-contract.json", "/project/B.rpc-contract.json"],
            diagnostics.Select(static d => d.Location.GetLineSpan().Path).Order(StringComparer.Ordinal));
        Assert.All(diagnostics, static d => Assert.Equal(DiagnosticIds.ContractSnapshotUnreadable, d.Id));
        Assert.Contains("the project has 2 contract snapshots (A.rpc-contract.json, B.rpc-contract.json); keep one", diagnostics[0].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_additional_files_are_not_snapshots()
        => Assert.Empty(await ContractSnapshots.AnalyzeAsync(Before, ("/project/contract.json", "not a snapshot")));
}
