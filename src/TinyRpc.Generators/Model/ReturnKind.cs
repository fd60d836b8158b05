namespace TinyRpc.Generators.Model;

/// <summary>What a method returns, which decides how its result is awaited and written.</summary>
internal enum ReturnKind
{
    /// <summary><c>void</c>: the response has a null result.</summary>
    Void,

    /// <summary>A value returned synchronously.</summary>
    Value,

    /// <summary><c>Task</c>.</summary>
    Task,

    /// <summary><c>Task&lt;T&gt;</c>.</summary>
    TaskOfT,

    /// <summary><c>ValueTask</c>.</summary>
    ValueTask,

    /// <summary><c>ValueTask&lt;T&gt;</c>.</summary>
    ValueTaskOfT,

    /// <summary><c>IAsyncEnumerable&lt;T&gt;</c>: a stream the caller pulls values from over its connection; the result type is <c>T</c>.</summary>
    AsyncEnumerable,
}
