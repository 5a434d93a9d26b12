using System.Collections.Frozen;
using LabThings.Model;
using Microsoft.Extensions.Logging;

namespace LabThings.Server.Hosting;

/// <summary>A Thing on this server: its name, instance and definition.</summary>
internal sealed record HostedThing(string Name, Thing Thing, ThingDefinition Definition);

/// <summary>
/// The Things of this server, created once from the registrations. Creating it validates every
/// registration and every Thing type and reports all problems in one <see cref="ThingDefinitionException"/>.
/// </summary>
internal sealed class ThingHost
{
    /// <summary>Thing names that would collide with the server's own routes.</summary>
    private static readonly FrozenSet<string> ReservedNames = new[]
    {
        "things", "thing_descriptions", "docs", "action_invocations", "blob", "openapi",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, HostedThing> _byName;

    public ThingHost(IEnumerable<ThingRegistration> registrations, IServiceProvider services, SettingsStore settings, ILoggerFactory loggerFactory)
    {
        var list = registrations.ToList();
        Validate(list);
        var things = new List<HostedThing>(list.Count);
        foreach (var registration in list)
        {
            var thing = registration.Factory(services)
                ?? throw new InvalidOperationException($"The factory for Thing '{registration.Name}' returned null.");
            thing.Attach(registration.Name, loggerFactory.CreateLogger("LabThings.Things." + registration.Name));
            thing.CaptureDefaults();
            settings.Attach(thing, registration.Name);
            things.Add(new HostedThing(registration.Name, thing, thing.Definition));
        }

        Things = things;
        _byName = things.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The Things, in the order they were added.</summary>
    public IReadOnlyList<HostedThing> Things { get; }

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
            if (WireNames.Problem(registration.Name) is { } problem)
            {
                problems.Add($"Thing '{registration.Name}' ({registration.ThingType.Name}): {problem}");
            }
            else if (ReservedNames.Contains(registration.Name))
            {
                problems.Add($"Thing '{registration.Name}' ({registration.ThingType.Name}): the name '{registration.Name}' is used by the server itself");
            }
        }

        foreach (var type in registrations.Select(r => r.ThingType).Distinct())
        {
            ThingDiscovery.TryDiscover(type, problems);
        }

        if (problems.Count > 0)
        {
            throw new ThingDefinitionException(problems);
        }
    }
}
