using System.Text.Json;
using LabThings.Model;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Testing;

/// <summary>
/// Creates a <see cref="ThingTestHost{T}"/>: a Thing under test with a fake host instead of a server (labthings-fastapi's
/// <c>create_thing_without_server</c>).
/// </summary>
/// <example>
/// <code>
/// await using var host = ThingTestHost.Create&lt;Light&gt;(o => o.Settings["brightness"] = 20);
/// host.Thing.Brightness = 0;
/// host.Notifications.Should().Contain(new ThingNotification(ThingNotificationKind.Property, "is_on", false));
/// var run = await host.InvokeActionAsync("flash", new { times = 2 });
/// </code>
/// </example>
public static class ThingTestHost
{
    /// <summary>How long the waits of the testing helpers last before they throw <see cref="TimeoutException"/>: 30 seconds.</summary>
    public static TimeSpan WaitTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Creates a <typeparamref name="T"/> with its constructor's services from <see cref="ThingTestOptions.Services"/> and
    /// its constructor slots filled, attaches it to a fake host, fills its property slots and restores the settings of
    /// <see cref="ThingTestOptions.Settings"/>. The Thing is not started (call <see cref="ThingTestHost{T}.StartAsync"/>);
    /// disposing the host stops it and disposes it.
    /// </summary>
    /// <typeparam name="T">The Thing type.</typeparam>
    /// <param name="configure">Sets the name, settings, services and the Things for its slots.</param>
    /// <returns>The host; dispose it with <c>await using</c>.</returns>
    /// <exception cref="ThingDefinitionException">The Thing type cannot be described; lists every problem.</exception>
    /// <exception cref="InvalidOperationException">A slot cannot be filled, or the constructor needs a service that was not given.</exception>
    /// <exception cref="ArgumentException">A setting is unknown or its value is invalid.</exception>
    public static ThingTestHost<T> Create<T>(Action<ThingTestOptions>? configure = null)
        where T : Thing
    {
        var options = Configure(configure);
        var definition = ThingDefinitions.Get<T>();
        var arguments = definition.Slots.Where(s => s.IsConstructorParameter)
            .Select(s => Slots.ValueFor(s, definition, options.Things))
            .Where(v => v is not null)
            .Cast<object>()
            .ToArray();
        var services = BuildServices(options);
        T thing;
        try
        {
            thing = ActivatorUtilities.CreateInstance<T>(services, arguments);
        }
        catch (InvalidOperationException ex)
        {
            services.Dispose();
            throw new InvalidOperationException($"{typeof(T).Name} could not be created: {ex.Message} Give what its constructor needs in ThingTestOptions.Services, or create it yourself and use ThingTestHost.Attach.", ex);
        }

        return new ThingTestHost<T>(thing, options, services, ownsThing: true);
    }

    /// <summary>
    /// Attaches a Thing the test created to a fake host: as <see cref="Create{T}"/>, but the host neither creates nor
    /// disposes the Thing (it still stops it, if the test started it). Constructor slots are the test's to fill.
    /// </summary>
    /// <typeparam name="T">The Thing type.</typeparam>
    /// <param name="thing">A Thing not yet attached to any host or server.</param>
    /// <param name="configure">Sets the name, settings, services and the Things for its slots.</param>
    /// <returns>The host; dispose it with <c>await using</c>.</returns>
    /// <exception cref="InvalidOperationException">The Thing is already attached, or a slot cannot be filled.</exception>
    /// <exception cref="ArgumentException">A setting is unknown or its value is invalid.</exception>
    public static ThingTestHost<T> Attach<T>(T thing, Action<ThingTestOptions>? configure = null)
        where T : Thing
    {
        ArgumentNullException.ThrowIfNull(thing);
        var options = Configure(configure);
        return new ThingTestHost<T>(thing, options, BuildServices(options), ownsThing: false);
    }

    /// <summary>The default name of a Thing of <paramref name="type"/>: the type's name in snake_case.</summary>
    internal static string DefaultName(Type type) => JsonNamingPolicy.SnakeCaseLower.ConvertName(type.Name);

    private static ThingTestOptions Configure(Action<ThingTestOptions>? configure)
    {
        var options = new ThingTestOptions();
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The test's services, plus each Thing given for the slots under its own type (for <see cref="ActionContext.GetThing{T}"/>).</summary>
    private static ServiceProvider BuildServices(ThingTestOptions options)
    {
        var services = new ServiceCollection();
        foreach (var descriptor in options.Services)
        {
            ((ICollection<ServiceDescriptor>)services).Add(descriptor);
        }

        foreach (var (_, thing) in options.Things)
        {
            if (!services.Any(d => d.ServiceType == thing.GetType()))
            {
                services.AddSingleton(thing.GetType(), thing);
            }
        }

        return services.BuildServiceProvider();
    }
}
