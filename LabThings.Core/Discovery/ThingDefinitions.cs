using System.Collections.Concurrent;
using LabThings.Model;

namespace LabThings;

/// <summary>
/// The one factory and cache of <see cref="ThingDefinition"/>s: each Thing type is discovered once per process,
/// and its outcome (the definition, or every problem found) is kept, so the server's start-up check and every
/// instance of the type share one definition.
/// </summary>
internal static class ThingDefinitions
{
    private static readonly ConcurrentDictionary<Type, Lazy<Outcome>> Cache = new();

    /// <summary>The definition of <paramref name="thingType"/>.</summary>
    /// <exception cref="ThingDefinitionException">The type cannot be described; lists every problem.</exception>
    public static ThingDefinition Get(Type thingType)
    {
        var outcome = Discover(thingType);
        return outcome.Definition ?? throw new ThingDefinitionException(outcome.Problems);
    }

    /// <summary>The definition of <typeparamref name="T"/>; see <see cref="Get(Type)"/>.</summary>
    public static ThingDefinition Get<T>()
        where T : Thing => Get(typeof(T));

    /// <summary>The definition of <paramref name="thingType"/>, or null with every problem added to <paramref name="problems"/>.</summary>
    public static ThingDefinition? TryGet(Type thingType, List<string> problems)
    {
        var outcome = Discover(thingType);
        problems.AddRange(outcome.Problems);
        return outcome.Definition;
    }

    private static Outcome Discover(Type thingType)
    {
        ArgumentNullException.ThrowIfNull(thingType);
        return Cache.GetOrAdd(thingType, static t => new Lazy<Outcome>(() =>
        {
            var problems = new List<string>();
            var definition = ThingDiscovery.Discover(t, problems);
            return new Outcome(problems.Count == 0 ? definition : null, problems);
        })).Value;
    }

    private sealed record Outcome(ThingDefinition? Definition, IReadOnlyList<string> Problems);
}
