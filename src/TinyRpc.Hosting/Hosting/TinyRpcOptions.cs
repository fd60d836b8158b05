namespace TinyRpc.Hosting;

/// <summary>
/// Settings of the servers <see cref="TinyRpcServiceCollectionExtensions.AddTinyRpc"/> hosts, shared by all of them.
/// Plain properties, so that they bind from configuration (<c>services.AddOptions&lt;TinyRpcOptions&gt;().BindConfiguration("TinyRpc")</c>);
/// validated when the host starts, which then fails with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.
/// </summary>
public sealed class TinyRpcOptions
{
    /// <summary>The most requests each server handles at once; at least 1. 64 by default.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Whether error replies carry the exception's type and stack (for development only). False by default.</summary>
    public bool IncludeExceptionDetails { get; set; }
}
