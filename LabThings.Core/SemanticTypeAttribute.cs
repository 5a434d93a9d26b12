namespace LabThings;

/// <summary>
/// Gives a Thing, or one of its properties, actions, events or streams, a semantic type: a JSON-LD <c>@type</c> in
/// its Thing Description, such as <c>saref:LightSwitch</c>, so that tools which understand an ontology know what it
/// is. Repeat the attribute for several types. A compact type (<c>prefix:Name</c>) needs its prefix declared with
/// <see cref="ThingContextAttribute"/> on the Thing class, unless it is one of the prefixes the TD 1.1 context
/// itself defines (<c>td</c>, <c>jsonschema</c>, <c>wotsec</c>, <c>hctl</c>, <c>htv</c>, <c>tm</c>); a full IRI
/// (<c>https://…</c>) or a plain term needs none. The server checks this at start-up and names the type and member
/// of any type whose prefix is unknown.
/// </summary>
/// <example>
/// <code>
/// [ThingContext("saref", "https://w3id.org/saref#")]
/// [SemanticType("saref:LightSwitch")]
/// public sealed class Light : Thing
/// {
///     [ThingProperty, SemanticType("saref:OnOffState")]
///     public bool IsOn { get; set => SetProperty(ref field, value); }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property | AttributeTargets.Method | AttributeTargets.Event, AllowMultiple = true, Inherited = true)]
public sealed class SemanticTypeAttribute : Attribute
{
    /// <summary>Adds the semantic type <paramref name="type"/>.</summary>
    /// <param name="type">A compact IRI (<c>saref:LightSwitch</c>), a full IRI or a term: not empty, no white space.</param>
    /// <exception cref="ArgumentException"><paramref name="type"/> is empty or contains white space.</exception>
    public SemanticTypeAttribute(string type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        if (type.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"A semantic type cannot contain white space: '{type}'.", nameof(type));
        }

        Type = type;
    }

    /// <summary>The semantic type, as written in the TD's <c>@type</c>.</summary>
    public string Type { get; }
}
