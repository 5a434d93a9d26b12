namespace LabThings;

/// <summary>
/// Declares that a Thing uses other Things on the same server: a settable property (or a constructor parameter)
/// filled at start-up, before any Thing starts. The slot's type says what fits: a Thing class, a base class or an
/// interface. <c>T</c> needs exactly one such Thing; <c>T?</c> takes one if there is one, or null;
/// <c>IReadOnlyList&lt;T&gt;</c> and <c>IReadOnlyDictionary&lt;string, T&gt;</c> (by Thing name) take every one.
/// Naming Things here (or in configuration, which wins) picks them instead of matching by type. A Thing starts
/// after the Things it uses and stops before them; a missing, ambiguous or ill-typed slot, or a cycle, stops
/// start-up with every problem listed.
/// </summary>
/// <example>
/// <code>
/// [ThingSlot] public ICamera Camera { get; private set; } = null!;
/// [ThingSlot("stage")] public Stage Stage { get; private set; } = null!;
/// [ThingSlot] public IReadOnlyList&lt;ISensor&gt; Sensors { get; private set; } = [];
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class ThingSlotAttribute : Attribute
{
    /// <summary>A slot filled by type.</summary>
    public ThingSlotAttribute()
    {
        ThingNames = [];
    }

    /// <summary>A slot filled with the Things of these names (one name for a single slot).</summary>
    /// <param name="thingNames">The names the Things are added under.</param>
    public ThingSlotAttribute(params string[] thingNames)
    {
        ArgumentNullException.ThrowIfNull(thingNames);
        ThingNames = [.. thingNames];
    }

    /// <summary>The names of the Things to use, or empty to choose by type.</summary>
    public IReadOnlyList<string> ThingNames { get; }
}
