using System.Collections.Frozen;
using LabThings.Model;
using LabThings.Server.Observation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Hosting;

/// <summary>
/// The Things of this server, created once from the registrations. Creating it checks every registration and
/// every Thing type first, and reports all problems in one <see cref="ThingDefinitionException"/>; then it
/// creates each Thing, attaches it to its <see cref="HostedThing"/> and restores its settings.
/// </summary>
internal sealed class ThingHost
{
    private readonly FrozenDictionary<string, HostedThing> _byName;

    public ThingHost(IEnumerable<ThingRegistration> registrations, IServiceProvider services, ObservationHub hub, IOptions<LabThingsOptions> options, ILoggerFactory loggerFactory)
    {
        var list = registrations.ToList();
        Validate(list);
        var plan = SlotResolver.Resolve(list, options.Value.Slots.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        var settingsFolder = Path.GetFullPath(options.Value.SettingsFolder);
        var things = new List<HostedThing>(list.Count);
        var created = new HostedThing?[list.Count];
        foreach (var position in plan.Order)
        {
            var registration = list[position];
            var slots = plan.Slots[position];
            var thing = registration.Factory is { } factory
                ? factory(services)
                : (Thing)ActivatorUtilities.CreateInstance(services, registration.ThingType, [.. ConstructorArguments(slots, created, list)]);
            if (thing is null)
            {
                throw new InvalidOperationException($"The factory for Thing '{registration.Name}' returned null.");
            }

            // The factory may return a subclass of the registered type: describe what was created.
            var problems = new List<string>();
            var definition = ThingDefinitions.TryGet(thing.GetType(), problems) ?? throw new ThingDefinitionException(problems);
            var hosted = new HostedThing(
                registration.Name,
                thing,
                definition,
                loggerFactory.CreateLogger("LabThings.Things." + registration.Name),
                Path.Combine(settingsFolder, registration.Name + ".json"),
                hub);
            hosted.Attach();
            hosted.Uses = [.. slots.SelectMany(s => s.Things).Distinct().Select(j => list[j].Name)];
            things.Add(hosted);
            created[position] = hosted;
        }

        // Property slots are set once every Thing exists, before any starts.
        foreach (var position in plan.Order)
        {
            foreach (var (slot, used) in plan.Slots[position].Where(s => !s.Slot.IsConstructorParameter))
            {
                slot.Assign(created[position]!.Thing, slot.ValueFor(Chosen(used, created, list)));
            }
        }

        StartOrder = things;
        Things = [.. created.Select(t => t!)];
        _byName = things.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The Things, in the order they were added.</summary>
    /// <summary>The Things in the order they were added.</summary>
    public IReadOnlyList<HostedThing> Things { get; }

    /// <summary>The Things in start order: each after the Things it uses, otherwise in the order they were added (stopped in reverse).</summary>
    public IReadOnlyList<HostedThing> StartOrder { get; }

    private static List<KeyValuePair<string, object>> Chosen(IReadOnlyList<int> used, HostedThing?[] created, List<ThingRegistration> list)
        => [.. used.Select(j => new KeyValuePair<string, object>(list[j].Name, created[j]!.Thing))];

    /// <summary>The values of the constructor's slots that have Things (an empty optional slot keeps its default, null).</summary>
    private static IEnumerable<object> ConstructorArguments(IReadOnlyList<(SlotDefinition Slot, IReadOnlyList<int> Things)> slots, HostedThing?[] created, List<ThingRegistration> list)
        => slots.Where(s => s.Slot.IsConstructorParameter && (s.Things.Count > 0 || s.Slot.Cardinality == SlotCardinality.Many))
            .Select(s => s.Slot.ValueFor(Chosen(s.Things, created, list))!);

    /// <summary>The Thing named <paramref name="name"/>.</summary>
    public HostedThing Get(string name)
        => _byName.GetValueOrDefault(name) ?? throw new KeyNotFoundException($"There is no Thing named '{name}' on this server.");

    private static void Validate(List<ThingRegistration> registrations)
    {
        var problems = new List<string>();
        if (registrations.Count == 0)
        {
            problems.Add("no Things were added: call AddLabThings().AddThing<T>(\"name\")");
        }

        foreach (var duplicate in registrations.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{duplicate.Count()} Things are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(r => r.ThingType.Name))}); names must be unique");
        }

        foreach (var registration in registrations)
        {
            if (ThingPaths.ThingNameProblem(registration.Name) is { } problem)
            {
                problems.Add($"Thing '{registration.Name}' ({registration.ThingType.Name}): {problem}");
            }
        }

        foreach (var type in registrations.Select(r => r.ThingType).Distinct())
        {
            ThingDefinitions.TryGet(type, problems);
        }

        if (problems.Count > 0)
        {
            throw new ThingDefinitionException(problems);
        }
    }
}
