namespace LabThings;

/// <summary>
/// Adds a prefix to the JSON-LD <c>@context</c> of the Thing's Thing Description, for the compact semantic types
/// (<see cref="SemanticTypeAttribute"/>) of the Thing and its affordances: <c>[ThingContext("saref", "https://w3id.org/saref#")]</c>
/// lets them say <c>saref:LightSwitch</c>. Repeat it for several prefixes. The TD's <c>@context</c> then becomes an
/// array: the TD 1.1 context first, then an object of these prefixes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class ThingContextAttribute : Attribute
{
    /// <summary>Maps <paramref name="prefix"/> to the vocabulary at <paramref name="iri"/>.</summary>
    /// <param name="prefix">The prefix, e.g. <c>saref</c>: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, starting with a letter or <c>_</c>.</param>
    /// <param name="iri">The vocabulary's absolute IRI, e.g. <c>https://w3id.org/saref#</c>.</param>
    /// <exception cref="ArgumentException">The prefix or the IRI is empty.</exception>
    public ThingContextAttribute(string prefix, string iri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(iri);
        Prefix = prefix;
        Iri = iri;
    }

    /// <summary>The prefix.</summary>
    public string Prefix { get; }

    /// <summary>The vocabulary's IRI.</summary>
    public string Iri { get; }
}
