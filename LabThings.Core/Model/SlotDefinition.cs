using System.Collections;
using System.Reflection;

namespace LabThings.Model;

/// <summary>How many Things a slot takes.</summary>
public enum SlotCardinality
{
    /// <summary>Exactly one (<c>T</c>).</summary>
    One,

    /// <summary>One or none (<c>T?</c>, or a constructor parameter defaulting to null).</summary>
    Optional,

    /// <summary>Any number (<c>IReadOnlyList&lt;T&gt;</c> or <c>IReadOnlyDictionary&lt;string, T&gt;</c>).</summary>
    Many,
}

/// <summary>A Thing's use of other Things (see <see cref="ThingSlotAttribute"/>), found once per Thing type.</summary>
public sealed class SlotDefinition
{
    private readonly bool _dictionary;

    internal SlotDefinition(string name, Type thingType, SlotCardinality cardinality, bool dictionary, IReadOnlyList<string> thingNames, PropertyInfo? property, ParameterInfo? parameter)
    {
        Name = name;
        ThingType = thingType;
        Cardinality = cardinality;
        _dictionary = dictionary;
        ThingNames = thingNames;
        Property = property;
        Parameter = parameter;
    }

    /// <summary>The property's or the constructor parameter's name, e.g. <c>Camera</c>; configuration names slots by it.</summary>
    public string Name { get; }

    /// <summary>What fits: a Thing class, a base class or an interface.</summary>
    public Type ThingType { get; }

    /// <summary>How many Things the slot takes.</summary>
    public SlotCardinality Cardinality { get; }

    /// <summary>The Things named by the attribute, or empty to choose by type.</summary>
    public IReadOnlyList<string> ThingNames { get; }

    /// <summary>Whether the slot is a constructor parameter (filled when the Thing is created) rather than a property.</summary>
    public bool IsConstructorParameter => Parameter is not null;

    internal PropertyInfo? Property { get; }

    internal ParameterInfo? Parameter { get; }

    /// <summary>The slot's value for the chosen Things (name and instance, in order): one Thing, null, a list or a dictionary.</summary>
    internal object? ValueFor(IReadOnlyList<KeyValuePair<string, object>> things)
    {
        if (Cardinality != SlotCardinality.Many)
        {
            return things.Count == 0 ? null : things[0].Value;
        }

        if (_dictionary)
        {
            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), ThingType), StringComparer.Ordinal)!;
            foreach (var (name, thing) in things)
            {
                dictionary.Add(name, thing);
            }

            return dictionary;
        }

        var array = Array.CreateInstance(ThingType, things.Count);
        for (var i = 0; i < things.Count; i++)
        {
            array.SetValue(things[i].Value, i);
        }

        return array;
    }

    /// <summary>Sets a property slot on <paramref name="owner"/>.</summary>
    internal void Assign(object owner, object? value) => Property!.SetValue(owner, value);

    /// <inheritdoc/>
    public override string ToString() => $"slot {Name} ({ThingType.Name}, {Cardinality})";
}
