using System.Collections;
using System.Collections.Frozen;

namespace LabThings;

/// <summary>The properties of one Thing instance, by wire name.</summary>
public sealed class ThingPropertyCollection : IReadOnlyCollection<ThingProperty>
{
    private readonly FrozenDictionary<string, ThingProperty> _byName;
    private readonly IReadOnlyList<ThingProperty> _ordered;

    internal ThingPropertyCollection(Thing thing)
    {
        _ordered = thing.Definition.Properties.Select(p => new ThingProperty(thing, p)).ToList();
        _byName = _ordered.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public int Count => _ordered.Count;

    /// <summary>The property with wire name <paramref name="name"/>.</summary>
    /// <param name="name">The wire name, e.g. <c>frame_rate</c>.</param>
    /// <exception cref="KeyNotFoundException">There is no such property.</exception>
    public ThingProperty this[string name]
        => _byName.GetValueOrDefault(name)
           ?? throw new KeyNotFoundException($"There is no property '{name}'. Properties: {string.Join(", ", _byName.Keys)}.");

    /// <summary>Looks up a property by wire name.</summary>
    /// <param name="name">The wire name.</param>
    /// <param name="property">The property, if found.</param>
    /// <returns>True if found.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ThingProperty? property)
        => _byName.TryGetValue(name, out property);

    /// <inheritdoc />
    public IEnumerator<ThingProperty> GetEnumerator() => _ordered.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
