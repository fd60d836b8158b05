using Microsoft.CodeAnalysis;

namespace TinyRpc.Analyzers.Tests;

/// <summary>
/// A catalogue of contract changes, each classified: the snapshot is written from the contract before, the analyzer
/// runs on the contract after. Breaking changes are warnings (TRPC0020-TRPC0023, TRPC0026), compatible additions
/// information (TRPC0024), and changes that do not reach the wire nothing at all.
/// </summary>
public class ContractCompatibilityTests
{
    private const string ServiceTemplate = """
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        namespace Demo;

        [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
        public partial class Accounts
        {
        MEMBERS
        }
        """;

    private const string ContractTemplate = """
        using System.Threading;
        using System.Threading.Tasks;
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        namespace Demo;

        [RpcService(NamingPolicy = RpcNamingPolicy.CamelCase)]
        public interface IFeed
        {
        MEMBERS
        }
        """;

    private const string Base = """
            [Public] public int Deposit(int accountId, long amount, string? note = null) => 0;
            [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
            [Public] public void Close(int accountId) { }
        """;

    public static TheoryData<string, string, string, string> Catalogue() => new()
    {
        // ---- nothing reaches the wire ---------------------------------------------------------------------
        { "unchanged", ServiceTemplate, Base, "" },
        { "members reordered, reformatted, commented", ServiceTemplate, """
                // Closing is final.
                [Public]
                public void Close( int accountId )
                {
                }

                /// <summary>The owner.</summary>
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("x");

                [Public] public int Deposit(int accountId, long amount, string? note = null)
                    => 1; /* a different body */
            """, "" },
        { "C# parameter renamed, wire name kept by [RpcName]", ServiceTemplate, """
                [Public] public int Deposit([RpcName("account_id")] int id, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "" },
        { "C# parameter renamed to what the naming policy gives anyway", ServiceTemplate, """
                [Public] public int Deposit(int account_id, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "" },
        { "C# method renamed, wire name kept by [Public(name)]", ServiceTemplate, """
                [Public("deposit")] public int Credit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "" },
        { "Task<T> made synchronous, ValueTask, CancellationToken added", ServiceTemplate, """
                [Public] public ValueTask<int> DepositAsync(int accountId, long amount, string? note = null, CancellationToken cancellationToken = default) => default;
                [Public] public string Owner(CancellationToken cancellationToken, int accountId) => "";
                [Public] public Task Close(int accountId) => Task.CompletedTask;
            """, "" },

        // ---- methods -----------------------------------------------------------------------------------------
        { "method removed", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
            """, "TRPC0020 Warning" },
        { "method renamed", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Shut(int accountId) { }
            """, "TRPC0020 Warning, TRPC0024 Info" },
        { "[Public] removed", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                public void Close(int accountId) { }
            """, "TRPC0020 Warning" },
        { "method added", ServiceTemplate, Base + """

                [Public] public long Balance(int accountId) => 0;
            """, "TRPC0024 Info" },

        // ---- parameters --------------------------------------------------------------------------------------
        { "required parameter added at the end", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId, bool full) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0021 Warning" },
        { "optional parameter added at the end", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note = null, string currency = "EUR") => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0024 Info" },
        { "params array added at the end", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId, params string[] fields) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0024 Info" },
        { "optional parameter inserted before another", ServiceTemplate, """
                [Public] public int Deposit(int accountId, string currency = "EUR", long amount = 0, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0021 Warning, TRPC0021 Warning, TRPC0021 Warning, TRPC0021 Warning, TRPC0024 Info, TRPC0024 Info" },
        { "parameter removed", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0021 Warning" },
        { "parameter type changed", ServiceTemplate, """
                [Public] public int Deposit(int accountId, decimal amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0021 Warning" },
        { "parameter renamed on the wire", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long sum, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0021 Warning" },
        { "[RpcName] changed", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, [RpcName("memo")] string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0021 Warning" },
        { "optional parameter made required", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0021 Warning" },
        { "required parameter made optional", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount = 0, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0024 Info" },
        { "parameter accepts null", ServiceTemplate, """
                [Public] public int Deposit(int? accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0024 Info" },
        { "parameter rejects null", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string note = "") => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0021 Warning" },
        { "naming policy changed", ServiceTemplate.Replace("SnakeCase", "CamelCase", StringComparison.Ordinal), Base,
            "TRPC0021 Warning, TRPC0021 Warning, TRPC0021 Warning" },

        // ---- results -----------------------------------------------------------------------------------------
        { "result type changed", ServiceTemplate, """
                [Public] public long Deposit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0022 Warning" },
        { "result removed", ServiceTemplate, """
                [Public] public void Deposit(int accountId, long amount, string? note = null) { }
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0022 Warning" },
        { "result may now be null", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string?> OwnerAsync(int accountId) => Task.FromResult<string?>("");
                [Public] public void Close(int accountId) { }
            """, "TRPC0022 Warning" },
        { "result added", ServiceTemplate, """
                [Public] public int Deposit(int accountId, long amount, string? note = null) => 0;
                [Public] public Task<string> OwnerAsync(int accountId) => Task.FromResult("");
                [Public] public bool Close(int accountId) => true;
            """, "TRPC0024 Info" },

        // ---- interfaces and one-way --------------------------------------------------------------------------
        { "one-way method made a call", ContractTemplate.Replace("MEMBERS", "    [OneWay] void Publish(string topic);", StringComparison.Ordinal),
            "    void Publish(string topic);", "TRPC0023 Warning" },
        { "call made one-way", ContractTemplate.Replace("MEMBERS", "    Task Publish(string topic);", StringComparison.Ordinal),
            "    [OneWay] Task Publish(string topic);", "TRPC0023 Warning" },
        { "an async variant of a method added", ContractTemplate.Replace("MEMBERS", "    int Count(string topic);", StringComparison.Ordinal),
            "    int Count(string topic);\n    [Public(\"count\")] Task<int> CountAsync(string topic);", "" },
        { "an interface parameter renamed, wire name kept by [RpcName]", ContractTemplate.Replace("MEMBERS", "    int Count(string topic);", StringComparison.Ordinal),
            "    int Count([RpcName(\"topic\")] string subject);", "" },
        { "an interface parameter renamed in C# (the proxy sends it by position)", ContractTemplate.Replace("MEMBERS", "    int Count(string topic);", StringComparison.Ordinal),
            "    int Count(string subject);", "" },
        { "an interface parameter's [RpcName] changed (implementing classes read it)", ContractTemplate.Replace("MEMBERS", "    int Count([RpcName(\"topic\")] string topic);", StringComparison.Ordinal),
            "    int Count([RpcName(\"subject\")] string topic);", "TRPC0021 Warning" },
        { "an interface parameter's type changed", ContractTemplate.Replace("MEMBERS", "    int Count(string topic);", StringComparison.Ordinal),
            "    int Count(int topic);", "TRPC0021 Warning" },
    };

    [Theory]
    [MemberData(nameof(Catalogue))]
    public async Task Each_change_is_classified(string change, string before, string after, string expected)
    {
        // A template with MEMBERS still open takes the base members before and the changed ones after.
        string beforeSource = before.Contains("MEMBERS", StringComparison.Ordinal) ? before.Replace("MEMBERS", Base, StringComparison.Ordinal) : before;
        string afterSource = (before.Contains("MEMBERS", StringComparison.Ordinal) ? before : ContractTemplate).Replace("MEMBERS", after, StringComparison.Ordinal);
        if (change == "naming policy changed")
        {
            beforeSource = ServiceTemplate.Replace("MEMBERS", Base, StringComparison.Ordinal);
        }

        string snapshot = ContractSnapshots.Write(beforeSource);
        var diagnostics = await ContractSnapshots.AnalyzeAsync(afterSource, (ContractSnapshots.Path, snapshot));
        string actual = string.Join(", ", diagnostics.Select(static d => $"{d.Id} {d.Severity}").Order(StringComparer.Ordinal));
        Assert.True(expected == actual, $"{change}: expected [{expected}] but got [{actual}]:\n{string.Join("\n", diagnostics)}");
    }
}
