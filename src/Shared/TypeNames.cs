// How a type is named in error messages. Linked into every runtime package that reports a type by name, so that
// all of them name types alike without one package opening its internals to another.
namespace TinyRpc;

internal static class TypeNames
{
    /// <summary>A short, readable type name for error messages ("Int32", "List`1" becomes "List&lt;Int32&gt;").</summary>
    public static string Describe(Type type)
    {
        Type? underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return Describe(underlying) + "?";
        }

        if (type.IsArray)
        {
            return Describe(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GenericTypeArguments.Select(Describe)) + ">";
    }
}
