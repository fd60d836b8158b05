namespace TinyRpc.Generators;

/// <summary>
/// The generator's parser, linked into this assembly: here only its nested <c>Parser</c> is used, so the class
/// itself is internal and has no generator part.
/// </summary>
internal sealed partial class RpcGenerator
{
    private RpcGenerator()
    {
    }
}
