using Verify = TinyRpc.Analyzers.Tests.Verifier<TinyRpc.Analyzers.RpcContractAnalyzer, TinyRpc.Analyzers.CodeFixes.MakePublicCodeFix>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0003: [Public] methods the generated table of a derived service cannot reach, and the fix.</summary>
public class InaccessibleMethodTests
{
    [Fact]
    public Task Private_public_method_in_a_base_class() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public abstract class Base
        {
            [Public] private int {|TRPC0003:Secret|}() => 1;
            [Public] int {|TRPC0003:Implicit|}() => 2;
        }

        [RpcService]
        public partial class Service : Base
        {
            [Public] public int Ping() => 0;
        }
        """);

    [Fact]
    public Task Private_protected_and_internal_methods_of_the_service_itself_are_fine() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public abstract class Base
        {
            [Public] protected int Guarded() => 1;
            [Public] internal int Inside() => 2;
        }

        [RpcService]
        public partial class Service : Base
        {
            [Public] private int Secret() => 3;
        }
        """);

    [Fact]
    public Task Internal_public_method_of_a_base_class_in_another_assembly()
    {
        var test = new Verify.Test
        {
            TestCode = """
                using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
                [RpcService]
                public partial class {|TRPC0003:Service|} : Lib.Base
                {
                    [Public] public int Ping() => 0;
                }
                """,
        };
        test.TestState.AdditionalProjects["Lib"].Sources.Add(("Base.cs", """
            namespace Lib;
            public abstract class Base
            {
                [TinyRpc.Public] internal int Hidden() => 0;
                [TinyRpc.Public] public int Shown() => 1;
            }
            """));
        test.TestState.AdditionalProjects["Lib"].AdditionalReferences.AddRange(TestReferences.Framework);
        test.TestState.AdditionalProjectReferences.Add("Lib");
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public Task Fix_makes_the_method_public() => Verify.FixAsync(new Verify.Test
    {
        TestCode = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            public abstract class Base
            {
                [Public] private static int {|TRPC0003:Secret|}() => 1;
                [Public]
                int {|TRPC0003:Implicit|}() => 2;
            }
            """,
        FixedCode = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
            public abstract class Base
            {
                [Public] public static int Secret() => 1;
                [Public]
                public int Implicit() => 2;
            }
            """,
        NumberOfIncrementalIterations = 2,
        NumberOfFixAllIterations = 1,
        NumberOfFixAllInDocumentIterations = 1,
        NumberOfFixAllInProjectIterations = 1,
    });
}
