namespace TinyRpc.Analyzers.Tests;

/// <summary>The snapshot the generator writes: wire names as the tables use them, sorted, stable.</summary>
public class ContractSnapshotWriterTests
{
    [Fact]
    public void Records_wire_names_types_optionality_results_and_one_way_in_a_stable_order()
    {
        string snapshot = ContractSnapshots.Write("""
            using System.Threading;
            using System.Threading.Tasks;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            namespace Demo;

            [RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
            public partial class Users
            {
                [Public] public Task<string?> FindUserAsync(int userId, [RpcName("q")] string query = "", CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);
                [Public("count")] public int Total(params int[] kinds) => 0;
                [Public] public void Ping() { }
            }

            [RpcService]
            public interface IEvents
            {
                [OneWay] void Changed(string name);
                int Get(int id);
                Task<int> GetAsync(int id);
            }
            """);

        Assert.Equal("""
            {
              "tinyrpcContract": 1,
              "services": [
                {
                  "name": "Demo.IEvents",
                  "methods": [
                    {"name": "Changed", "oneWay": true, "parameters": [{"name": "name", "type": "string"}], "result": null},
                    {"name": "Get", "parameters": [{"name": "id", "type": "int"}], "result": "int"},
                    {"name": "GetAsync", "parameters": [{"name": "id", "type": "int"}], "result": "int"}
                  ]
                },
                {
                  "name": "Demo.Users",
                  "methods": [
                    {"name": "count", "parameters": [{"name": "kinds", "type": "int[]", "params": true}], "result": "int"},
                    {"name": "find_user", "parameters": [{"name": "user_id", "type": "int"}, {"name": "q", "type": "string", "optional": true}], "result": "string?"},
                    {"name": "ping", "parameters": [], "result": null}
                  ]
                }
              ]
            }

            """.ReplaceLineEndings("\n"), snapshot);
    }

    [Fact]
    public void Two_methods_that_send_one_wire_method_the_same_way_are_recorded_once()
    {
        string snapshot = ContractSnapshots.Write("""
            using System.Threading.Tasks;
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService(TrimAsyncSuffix = true)]
            public interface IClock
            {
                long Now();
                Task<long> NowAsync();
            }
            """);

        Assert.Single(snapshot.Split('\n'), static l => l.Contains("\"name\": \"Now\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Names_that_are_not_printable_ascii_are_escaped()
    {
        string snapshot = ContractSnapshots.Write("""
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService]
            public partial class Greeter
            {
                [Public("grüß\"dich\\")] public void Greet() { }
            }
            """);

        Assert.Contains("{\"name\": \"gr\\u00fc\\u00df\\\"dich\\\\\", \"parameters\": [], \"result\": null}", snapshot, StringComparison.Ordinal);
    }

    [Fact]
    public void A_project_without_services_has_an_empty_snapshot()
        => Assert.Equal("{\n  \"tinyrpcContract\": 1,\n  \"services\": []\n}\n", ContractSnapshots.Write("public static class Nothing { }"));

    [Fact]
    public void Nothing_is_generated_unless_asked_for()
    {
        var (sources, _, _) = Compiler.Generate(Compiler.Create("""
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            [RpcService]
            public partial class Greeter
            {
                [Public] public void Greet() { }
            }
            """, interceptors: false));
        Assert.DoesNotContain("TinyRpc.Contract.g.cs", sources.Keys);
    }
}
