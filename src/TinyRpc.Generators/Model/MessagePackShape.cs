namespace TinyRpc.Generators.Model;

/// <summary>Which MessagePack-CSharp formatter serves a contract type.</summary>
internal enum MessagePackShape
{
    /// <summary><c>T[]</c>: <c>ArrayFormatter&lt;T&gt;</c>.</summary>
    Array,

    /// <summary><c>List&lt;T&gt;</c>.</summary>
    List,

    /// <summary><c>IList&lt;T&gt;</c>.</summary>
    ListInterface,

    /// <summary><c>ICollection&lt;T&gt;</c>.</summary>
    CollectionInterface,

    /// <summary><c>IEnumerable&lt;T&gt;</c>.</summary>
    Enumerable,

    /// <summary><c>IReadOnlyList&lt;T&gt;</c>.</summary>
    ReadOnlyList,

    /// <summary><c>IReadOnlyCollection&lt;T&gt;</c>.</summary>
    ReadOnlyCollection,

    /// <summary><c>HashSet&lt;T&gt;</c>.</summary>
    HashSet,

    /// <summary><c>ISet&lt;T&gt;</c>.</summary>
    SetInterface,

    /// <summary><c>Dictionary&lt;TKey, TValue&gt;</c>.</summary>
    Dictionary,

    /// <summary><c>IDictionary&lt;TKey, TValue&gt;</c>.</summary>
    DictionaryInterface,

    /// <summary><c>IReadOnlyDictionary&lt;TKey, TValue&gt;</c>.</summary>
    ReadOnlyDictionary,

    /// <summary><c>T?</c> for a value type.</summary>
    Nullable,

    /// <summary>An enum, written as its underlying integer (as System.Text.Json writes it by default).</summary>
    Enum,

    /// <summary>A record, class or struct, written as a map by a generated formatter.</summary>
    Object,
}
