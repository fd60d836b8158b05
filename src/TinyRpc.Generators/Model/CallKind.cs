namespace TinyRpc.Generators.Model;

/// <summary>How a generated invoker reaches the method it calls.</summary>
internal enum CallKind
{
    /// <summary><c>instance.Method(...)</c>.</summary>
    Instance,

    /// <summary><c>global::Declaring.Type.Method(...)</c>.</summary>
    Static,

    /// <summary><c>((global::IContract)instance).Method(...)</c>, for an explicit interface implementation.</summary>
    ExplicitInterface,
}
