using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;

namespace LabThings.Model;

/// <summary>
/// The immutable description of a <see cref="Thing"/> type: its affordances, found by reflection once
/// per type and validated. Obtain it with <see cref="For(Type)"/>.
/// </summary>
public sealed class ThingDefinition
{
    private static readonly ConcurrentDictionary<Type, Lazy<ThingDefinition>> Cache = new();
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

    /// <summary>Returns the definition of <paramref name="thingType"/>, discovering and validating it on first use.</summary>
    /// <param name="thingType">A non-abstract subclass of <see cref="Thing"/>.</param>
    /// <returns>The cached definition.</returns>
    /// <exception cref="ThingDefinitionException">The type cannot be described; the exception lists every problem.</exception>
    public static ThingDefinition For(Type thingType)
    {
        ArgumentNullException.ThrowIfNull(thingType);
        return Cache.GetOrAdd(thingType, static t => new Lazy<ThingDefinition>(() => ThingDiscovery.Discover(t))).Value;
    }

    /// <summary>Returns the definition of <typeparamref name="T"/>; see <see cref="For(Type)"/>.</summary>
    /// <typeparam name="T">The Thing type.</typeparam>
    /// <returns>The cached definition.</returns>
    public static ThingDefinition For<T>()
        where T : Thing => For(typeof(T));

    /// <summary>Finds an affordance by its wire name.</summary>
    /// <param name="name">The wire name.</param>
    /// <returns>The affordance, or null if there is none of that name.</returns>
    public AffordanceDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    internal PropertyDefinition? FindPropertyByMember(string memberName) => _propertiesByMember.GetValueOrDefault(memberName);

    internal StreamDefinition? FindStreamByMember(string memberName) => _streamsByMember.GetValueOrDefault(memberName);
}
