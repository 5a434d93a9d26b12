using System.Collections.Frozen;
using System.Collections.Immutable;

namespace LabThings.Model;

/// <summary>
/// The immutable description of a Thing type: its affordances, found by reflection once per type and
/// validated. A Thing's own definition is <c>thing.Definition</c>.
/// </summary>
/// <remarks>Immutable and thread-safe. See <c>Model/README.md</c> for the invariants.</remarks>
public sealed class ThingDefinition
{
    private readonly FrozenDictionary<string, AffordanceDefinition> _byName;
    private readonly FrozenDictionary<string, StreamDefinition> _streamsByMember;
    private readonly FrozenDictionary<string, PropertyDefinition> _propertiesByMember;

    internal ThingDefinition(Type thingType, string title, string? description, ImmutableArray<AffordanceDefinition> affordances)
    {
        ThingType = thingType;
        Title = title;
        Description = description;
        Affordances = affordances;
        Streams = [.. affordances.OfType<StreamDefinition>()];
        Properties = [.. affordances.OfType<PropertyDefinition>()];
        Actions = [.. affordances.OfType<ActionDefinition>()];
        Events = [.. affordances.OfType<EventDefinition>()];
        _propertiesByMember = Properties.ToFrozenDictionary(p => p.Member.Name, StringComparer.Ordinal);
        _byName = affordances.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);
        _streamsByMember = Streams.ToFrozenDictionary(s => s.Member.Name, StringComparer.Ordinal);
    }

    /// <summary>The Thing type.</summary>
    public Type ThingType { get; }

    /// <summary>The Thing's title: its <see cref="System.ComponentModel.DisplayNameAttribute"/>, else the type's name.</summary>
    public string Title { get; }

    /// <summary>The Thing's description: its <see cref="System.ComponentModel.DescriptionAttribute"/>, or null.</summary>
    public string? Description { get; }

    /// <summary>Every affordance, in declaration order.</summary>
    public ImmutableArray<AffordanceDefinition> Affordances { get; }

    /// <summary>The properties (including settings), in declaration order.</summary>
    public ImmutableArray<PropertyDefinition> Properties { get; }

    /// <summary>The actions, in declaration order.</summary>
    public ImmutableArray<ActionDefinition> Actions { get; }

    /// <summary>The events, in declaration order.</summary>
    public ImmutableArray<EventDefinition> Events { get; }

    /// <summary>The MJPEG streams.</summary>
    public ImmutableArray<StreamDefinition> Streams { get; }

    /// <summary>The other Things this Thing uses (<see cref="ThingSlotAttribute"/>), filled by the server at start-up.</summary>
    public ImmutableArray<SlotDefinition> Slots { get; internal init; } = [];

    /// <summary>The Thing's plain HTTP endpoints (<see cref="HttpEndpointAttribute"/>), served under its path and described in OpenAPI only.</summary>
    public ImmutableArray<HttpEndpointDefinition> HttpEndpoints { get; internal init; } = [];

    /// <summary>The Thing's semantic types (<see cref="SemanticTypeAttribute"/> on the class), its TD's <c>@type</c>; empty when none.</summary>
    public IReadOnlyList<string> SemanticTypes { get; internal init; } = [];

    /// <summary>The prefixes the Thing adds to its TD's <c>@context</c> (<see cref="ThingContextAttribute"/>), prefix to IRI, ordered by prefix; empty when none.</summary>
    public IReadOnlyDictionary<string, string> SemanticContext { get; internal init; } = new Dictionary<string, string>();

    /// <summary>Finds an affordance by its wire name.</summary>
    /// <param name="name">The wire name.</param>
    /// <returns>The affordance, or null if there is none of that name.</returns>
    public AffordanceDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    internal PropertyDefinition? FindPropertyByMember(string memberName) => _propertiesByMember.GetValueOrDefault(memberName);

    internal StreamDefinition? FindStreamByMember(string memberName) => _streamsByMember.GetValueOrDefault(memberName);
}
