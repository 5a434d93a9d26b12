using LabThings.Model;

namespace LabThings.Server.Hosting;

/// <summary>
/// Decides, before any Thing is created, which Things fill each slot (<see cref="ThingSlotAttribute"/>) and in
/// which order the Things are created and started: a Thing after the Things it uses, otherwise in the order they
/// were added. Every problem (a slot nobody fits, several candidates for one, a named Thing that does not exist or
/// does not fit, a cycle) is collected, so one start-up error lists them all.
/// </summary>
internal static class SlotResolver
{
    /// <summary>The Things in creation order, and for each registration the Things (indexes) chosen for each slot.</summary>
    public sealed record Plan(IReadOnlyList<int> Order, IReadOnlyDictionary<int, IReadOnlyList<(SlotDefinition Slot, IReadOnlyList<int> Things)>> Slots);

    /// <exception cref="ThingDefinitionException">A slot cannot be filled, or Things use each other in a cycle.</exception>
    public static Plan Resolve(IReadOnlyList<ThingRegistration> registrations, IReadOnlyDictionary<string, IDictionary<string, string>> configured)
    {
        var problems = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < registrations.Count; i++)
        {
            index[registrations[i].Name] = i;
        }

        foreach (var (thing, slots) in configured)
        {
            if (!index.TryGetValue(thing, out var owner))
            {
                problems.Add($"LabThings:Slots:{thing}: there is no Thing named '{thing}'");
                continue;
            }

            var known = ThingDefinitions.Get(registrations[owner].ThingType).Slots.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            problems.AddRange(slots.Keys.Where(k => !known.Contains(k)).Select(k => $"LabThings:Slots:{thing}:{k}: {registrations[owner].ThingType.Name} has no slot '{k}' (its slots: {(known.Count == 0 ? "none" : string.Join(", ", known))})"));
        }

        var chosen = new Dictionary<int, IReadOnlyList<(SlotDefinition, IReadOnlyList<int>)>>();
        var uses = new List<int>[registrations.Count];
        for (var i = 0; i < registrations.Count; i++)
        {
            uses[i] = [];
            var registration = registrations[i];
            var list = new List<(SlotDefinition, IReadOnlyList<int>)>();
            foreach (var slot in ThingDefinitions.Get(registration.ThingType).Slots)
            {
                var where = $"Thing '{registration.Name}' ({registration.ThingType.Name}), slot {slot.Name} ({Describe(slot)})";
                var names = configured.TryGetValue(registration.Name, out var slots) && slots.TryGetValue(slot.Name, out var text)
                    ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : slot.ThingNames;
                var things = names.Count > 0 ? ByName(names, slot, i, registrations, index, where, problems) : ByType(slot, i, registrations, where, problems);
                if (things is null)
                {
                    continue;
                }

                list.Add((slot, things));
                uses[i].AddRange(things);
            }

            chosen[i] = list;
        }

        var order = Order(uses, registrations, problems);
        if (problems.Count > 0)
        {
            throw new ThingDefinitionException(problems);
        }

        return new Plan(order, chosen);
    }

    private static List<int>? ByName(IReadOnlyList<string> names, SlotDefinition slot, int owner, IReadOnlyList<ThingRegistration> registrations, Dictionary<string, int> index, string where, List<string> problems)
    {
        if (slot.Cardinality != SlotCardinality.Many && names.Count > 1)
        {
            problems.Add($"{where}: names {names.Count} Things ({string.Join(", ", names)}) for a slot that takes one");
            return null;
        }

        var things = new List<int>();
        foreach (var name in names)
        {
            if (!index.TryGetValue(name, out var found))
            {
                problems.Add($"{where}: there is no Thing named '{name}' (Things: {string.Join(", ", registrations.Select(r => r.Name))})");
            }
            else if (!slot.ThingType.IsAssignableFrom(registrations[found].ThingType))
            {
                problems.Add($"{where}: '{name}' is a {registrations[found].ThingType.Name}, which is not a {slot.ThingType.Name}");
            }
            else if (found == owner)
            {
                problems.Add($"{where}: a Thing cannot fill its own slot");
            }
            else
            {
                things.Add(found);
            }
        }

        return things.Count == names.Count ? things : null;
    }

    private static List<int>? ByType(SlotDefinition slot, int owner, IReadOnlyList<ThingRegistration> registrations, string where, List<string> problems)
    {
        var candidates = Enumerable.Range(0, registrations.Count)
            .Where(j => j != owner && slot.ThingType.IsAssignableFrom(registrations[j].ThingType))
            .ToList();
        if (slot.Cardinality == SlotCardinality.Many)
        {
            return candidates;
        }

        if (candidates.Count == 1 || (candidates.Count == 0 && slot.Cardinality == SlotCardinality.Optional))
        {
            return candidates;
        }

        problems.Add(candidates.Count == 0
            ? $"{where}: no Thing on this server is a {slot.ThingType.Name}; add one, or make the slot optional ({slot.ThingType.Name}?)"
            : $"{where}: {candidates.Count} Things are a {slot.ThingType.Name} ({string.Join(", ", candidates.Select(j => $"'{registrations[j].Name}'"))}); name one with [ThingSlot(\"name\")] or LabThings:Slots:{registrations[owner].Name}:{slot.Name}");
        return null;
    }

    /// <summary>A topological order, stable in registration order; every cycle found is reported.</summary>
    private static List<int> Order(List<int>[] uses, IReadOnlyList<ThingRegistration> registrations, List<string> problems)
    {
        var order = new List<int>(uses.Length);
        var state = new int[uses.Length]; // 0 new, 1 on the path, 2 done
        var path = new List<int>();

        void Visit(int i)
        {
            if (state[i] == 2)
            {
                return;
            }

            if (state[i] == 1)
            {
                var cycle = path.Skip(path.IndexOf(i)).Append(i).Select(j => $"'{registrations[j].Name}'");
                problems.Add($"Things use each other in a cycle: {string.Join(" → ", cycle)}; one of them must not depend on the other (start order is undefined)");
                return;
            }

            state[i] = 1;
            path.Add(i);
            foreach (var used in uses[i].Distinct())
            {
                Visit(used);
            }

            path.RemoveAt(path.Count - 1);
            state[i] = 2;
            order.Add(i);
        }

        for (var i = 0; i < uses.Length; i++)
        {
            Visit(i);
        }

        return order;
    }

    private static string Describe(SlotDefinition slot) => slot.Cardinality switch
    {
        SlotCardinality.Optional => slot.ThingType.Name + "?",
        SlotCardinality.Many => "many " + slot.ThingType.Name,
        _ => slot.ThingType.Name,
    };
}
