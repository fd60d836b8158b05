namespace TinyRpc.Generators.Model;

/// <summary>Where the module initializer that registers a service table is emitted.</summary>
internal enum RegistrationSite
{
    /// <summary>In the service class itself.</summary>
    Service,

    /// <summary>In the directly containing type: the class is private or protected nested.</summary>
    ContainingType,

    /// <summary>Nowhere: no type on the way is reachable at module level; only generic registration works.</summary>
    None,
}
