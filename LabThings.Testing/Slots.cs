using LabThings.Model;

namespace LabThings.Testing;

/// <summary>Fills a Thing's slots from the Things a test gave (<see cref="ThingTestOptions.UseThing"/>), as a server would choose them.</summary>
internal static class Slots
{
    /// <summary>The value for <paramref name="slot"/>: one Thing, null, an array or a dictionary.</summary>
    /// <exception cref="InvalidOperationException">No given Thing fits a slot that needs one, several fit a slot that takes one, or a named Thing was not given or does not fit.</exception>
    public static object? ValueFor(SlotDefinition slot, ThingDefinition owner, IReadOnlyList<KeyValuePair<string, object>> things)
    {
        var where = $"{owner.ThingType.Name}'s slot {slot.Name} ({slot.ThingType.Name}, {slot.Cardinality})";
        List<KeyValuePair<string, object>> chosen;
        if (slot.ThingNames.Count > 0)
        {
            chosen = [];
            foreach (var name in slot.ThingNames)
            {
                var match = things.FirstOrDefault(t => t.Key == name);
                if (match.Value is null)
                {
                    throw new InvalidOperationException($"{where} names the Thing '{name}': give it with UseThing(\"{name}\", …).");
                }

                if (!slot.ThingType.IsInstanceOfType(match.Value))
                {
                    throw new InvalidOperationException($"{where} names the Thing '{name}', but it is a {match.Value.GetType().Name}.");
                }

                chosen.Add(match);
            }
        }
        else
        {
            chosen = [.. things.Where(t => slot.ThingType.IsInstanceOfType(t.Value))];
        }

        if (slot.Cardinality == SlotCardinality.One && chosen.Count == 0)
        {
            throw new InvalidOperationException($"{where} needs a Thing: give one with UseThing(name, thing).");
        }

        if (slot.Cardinality != SlotCardinality.Many && chosen.Count > 1)
        {
            throw new InvalidOperationException($"{where} takes one Thing, but {chosen.Count} fit ({string.Join(", ", chosen.Select(t => t.Key))}): name one in the attribute, or give only one.");
        }

        return slot.ValueFor(chosen);
    }

    /// <summary>Sets every property slot of <paramref name="thing"/>.</summary>
    public static void FillProperties(Thing thing, IReadOnlyList<KeyValuePair<string, object>> things)
    {
        foreach (var slot in thing.Definition.Slots.Where(s => !s.IsConstructorParameter))
        {
            slot.Assign(thing, ValueFor(slot, thing.Definition, things));
        }
    }
}
