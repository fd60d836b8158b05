using Verify = TinyRpc.Analyzers.Tests.Verifier<TinyRpc.Analyzers.RpcContractAnalyzer, TinyRpc.Analyzers.CodeFixes.AddRpcServiceCodeFix>;

namespace TinyRpc.Analyzers.Tests;

/// <summary>TRPC0002: [Public] in a type without [RpcService], and the fix that adds it.</summary>
public class PublicOutsideServiceTests
{
    [Fact]
    public Task Public_in_a_plain_class() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public class Calc
        {
            [{|TRPC0002:Public|}] public int Add(int a, int b) => a + b;
            [{|TRPC0002:Public("sub")|}] public int Subtract(int a, int b) => a - b;
            public int Multiply(int a, int b) => a * b;
        }

        public static class Tools
        {
            [{|TRPC0002:Public|}] public static int Now() => 0;
        }

        public struct Point
        {
            [{|TRPC0002:Public|}] public int Length() => 0;
        }
        """);

    [Fact]
    public Task Public_in_bases_of_services_abstract_classes_and_interfaces_is_fine() => Verify.AnalyzeAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public class Base
        {
            [Public] public int Version() => 1;
        }

        [RpcService]
        public partial class Derived : Base
        {
        }

        public abstract class AbstractBase
        {
            [Public] public abstract int Ping();
        }

        public interface IContract
        {
            [Public] int Describe();
        }
        """);

    [Fact]
    public Task Fix_adds_RpcService_and_partial() => Verify.FixAsync("""
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        namespace Demo
        {
            public class Calc
            {
                [{|TRPC0002:Public|}] public int Add(int a, int b) => a + b;
            }
        }
        """, """
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

        namespace Demo
        {
            [RpcService]
            public partial class Calc
            {
                [Public] public int Add(int a, int b) => a + b;
            }
        }
        """);

    [Fact]
    public Task Fix_makes_containing_types_partial_and_qualifies_without_a_using() => Verify.FixAsync("""
        public static class Outer
        {
            internal sealed class Calc
            {
                [{|TRPC0002:TinyRpc.Public|}] public int Add(int a, int b) => a + b;
            }
        }
        """, """
        public static partial class Outer
        {
            [TinyRpc.RpcService]
            internal sealed partial class Calc
            {
                [TinyRpc.Public] public int Add(int a, int b) => a + b;
            }
        }
        """);

    [Fact]
    public Task No_fix_for_static_classes_and_structs()
    {
        const string source = """
        using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;
        public static class Tools
        {
            [{|TRPC0002:Public|}] public static int Now() => 0;
        }

        public struct Point
        {
            [{|TRPC0002:Public|}] public int Length() => 0;
        }
        """;
        return Verify.FixAsync(new Verify.Test
        {
            TestCode = source,
            FixedCode = source,
            NumberOfIncrementalIterations = 0,
            NumberOfFixAllIterations = 0,
            NumberOfFixAllInDocumentIterations = 0,
            NumberOfFixAllInProjectIterations = 0,
        });
    }

    [Fact]
    public Task Fix_all_adds_the_attribute_once_per_type() => Verify.FixAsync(new Verify.Test
    {
        TestCode = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

            class A
            {
                [{|TRPC0002:Public|}] public int One() => 1;
                [{|TRPC0002:Public|}] public int Two() => 2;
            }

            class B
            {
                [{|TRPC0002:Public|}] public int Three() => 3;
            }
            """,
        FixedCode = """
            using TinyRpc; using TinyRpc.Client; using TinyRpc.Dispatch; using TinyRpc.Exceptions;

            [RpcService]
            partial class A
            {
                [Public] public int One() => 1;
                [Public] public int Two() => 2;
            }

            [RpcService]
            partial class B
            {
                [Public] public int Three() => 3;
            }
            """,
        NumberOfIncrementalIterations = 2,
        NumberOfFixAllIterations = 1,
        NumberOfFixAllInDocumentIterations = 1,
        NumberOfFixAllInProjectIterations = 1,
    });
}
