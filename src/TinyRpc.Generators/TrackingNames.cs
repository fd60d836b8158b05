namespace TinyRpc.Generators;

/// <summary>Names of the pipeline steps, shared by the generator and its caching tests.</summary>
internal static class TrackingNames
{
    public const string ServiceSpec = nameof(ServiceSpec);
    public const string ProxySpec = nameof(ProxySpec);
    public const string InterceptorSpec = nameof(InterceptorSpec);
    public const string InterceptorsEnabled = nameof(InterceptorsEnabled);
    public const string Interceptors = nameof(Interceptors);
}
