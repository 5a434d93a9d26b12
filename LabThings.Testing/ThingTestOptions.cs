using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Testing;

/// <summary>How a <see cref="ThingTestHost{T}"/> sets up the Thing under test.</summary>
public sealed class ThingTestOptions
{
    private readonly List<KeyValuePair<string, object>> _things = [];

    /// <summary>The Thing's name, as a server would know it; the type's name in snake_case when null (<c>Light</c> → <c>light</c>).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Saved settings to restore before the test, by wire name (<c>["brightness"] = 20</c>), as a server restores them
    /// from the settings file: through the setters, validated against the schema. A <see cref="System.Text.Json.Nodes.JsonNode"/>
    /// or <see cref="System.Text.Json.JsonElement"/> is taken as JSON; any other value is serialized as LabThings does.
    /// </summary>
    public IDictionary<string, object?> Settings { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// Services for the Thing's constructor (a <see cref="TimeProvider"/>, a driver, a fake of one) and for
    /// <see cref="ActionContext.GetThing{T}"/>. Used when the host creates the Thing.
    /// </summary>
    public IServiceCollection Services { get; } = new ServiceCollection();

    /// <summary>The Things (or fakes) given with <see cref="UseThing"/>, by name, in order.</summary>
    internal IReadOnlyList<KeyValuePair<string, object>> Things => _things;

    /// <summary>
    /// Makes <paramref name="thing"/> available under <paramref name="name"/> to the Thing's slots
    /// (<see cref="ThingSlotAttribute"/>), which are filled as a server fills them: with the Things the attribute names,
    /// or else by type. It may be a real Thing (hosted by another <see cref="ThingTestHost{T}"/> to observe it) or a fake
    /// implementing the slot's interface. Things given here are not started or stopped by the host.
    /// </summary>
    /// <param name="name">The name the Thing has on the imagined server.</param>
    /// <param name="thing">The Thing or fake.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">The name is empty or already used.</exception>
    public ThingTestOptions UseThing(string name, object thing)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(thing);
        if (_things.Any(t => t.Key == name))
        {
            throw new ArgumentException($"A Thing named '{name}' was already given.", nameof(name));
        }

        _things.Add(new(name, thing));
        return this;
    }
}
