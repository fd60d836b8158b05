using System.Text.Json.Serialization;

namespace TinyRpc.Tests.Protocols;

public sealed record Person(string Name, int Age, List<string> Tags);

public sealed record Measurement(string Unit, double Value);

/// <summary>
/// Metadata for the test's own types. Its options name properties in camelCase, so a test that reads
/// <c>{"name": …}</c> into <see cref="Person"/> proves the protocol used these options.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Person))]
[JsonSerializable(typeof(List<Person>))]
[JsonSerializable(typeof(Dictionary<string, Person>))]
[JsonSerializable(typeof(Measurement))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>Options that would let NaN and Infinity through as named literals; the protocol must not.</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(Measurement))]
[JsonSerializable(typeof(double[]))]
internal sealed partial class NamedFloatingPointLiteralsContext : JsonSerializerContext;
