using LabThings.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LabThings.Server;

/// <summary>Adds Things to a LabThings server. Returned by <see cref="LabThingsServiceCollectionExtensions.AddLabThings"/>.</summary>
public sealed class LabThingsBuilder
{
    internal LabThingsBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds a Thing of type <typeparamref name="T"/> named <paramref name="name"/>, created by dependency injection
    /// (its constructor may take services). It is also registered as a singleton <typeparamref name="T"/>
    /// (the first one, if several of one type are added).
    /// </summary>
    /// <typeparam name="T">The Thing type.</typeparam>
    /// <param name="name">The Thing's name: its URL segment, e.g. <c>camera</c>.</param>
    /// <returns>This builder.</returns>
    public LabThingsBuilder AddThing<T>(string name)
        where T : Thing
    {
        ArgumentNullException.ThrowIfNull(name);
        return Register<T>(new ThingRegistration(name, typeof(T), Factory: null));
    }

    /// <summary>Adds an already created Thing named <paramref name="name"/>.</summary>
    /// <typeparam name="T">The Thing type.</typeparam>
    /// <param name="name">The Thing's name: its URL segment.</param>
    /// <param name="instance">The Thing. A Thing can be added to one server only.</param>
    /// <returns>This builder.</returns>
    public LabThingsBuilder AddThing<T>(string name, T instance)
        where T : Thing
    {
        ArgumentNullException.ThrowIfNull(instance);
        return AddThing(name, _ => instance);
    }

    /// <summary>
    /// Adds a Thing of type <paramref name="type"/> named <paramref name="name"/>, for types known only at run time
    /// (e.g. named in configuration). Without <paramref name="factory"/> it is created by dependency injection, as
    /// <see cref="AddThing{T}(string)"/>. It is also registered as a singleton <paramref name="type"/> (the first one, if
    /// several of one type are added).
    /// </summary>
    /// <param name="name">The Thing's name: its URL segment.</param>
    /// <param name="type">The Thing type: a concrete subclass of <see cref="Thing"/>.</param>
    /// <param name="factory">Creates the Thing (an instance of <paramref name="type"/>); optional.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a concrete subclass of <see cref="Thing"/>.</exception>
    public LabThingsBuilder AddThing(string name, Type type, Func<IServiceProvider, Thing>? factory = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(type);
        if (!type.IsSubclassOf(typeof(Thing)) || type.IsAbstract || type.ContainsGenericParameters)
        {
            throw new ArgumentException($"{type.FullName} is not a concrete subclass of {typeof(Thing).FullName}.", nameof(type));
        }

        factory ??= sp => (Thing)ActivatorUtilities.CreateInstance(sp, type);
        Services.AddSingleton(new ThingRegistration(name, type, sp =>
        {
            var thing = factory(sp);
            return type.IsInstanceOfType(thing)
                ? thing
                : throw new InvalidOperationException($"The factory for Thing '{name}' made {thing?.GetType().FullName ?? "null"}, not a {type.FullName}.");
        }));
        Services.TryAddSingleton(type, sp => sp.GetRequiredService<ThingHost>().Get(name).Thing);
        return this;
    }

    /// <summary>
    /// Adds the Things listed in a configuration section, e.g. <c>builder.Configuration.GetSection("LabThings:Things")</c>:
    /// each child is a Thing, named by its key, with <c>Type</c> (the class with its namespace, or assembly-qualified),
    /// <c>Assembly</c> (a .dll file to load it from; optional), <c>Arguments</c> (constructor arguments by parameter
    /// name; other parameters come from services or their defaults) and <c>Settings</c> (initial values of
    /// <c>[ThingSetting]</c> properties; values saved in the settings folder win). See docs/hosting.md.
    /// </summary>
    /// <param name="things">The section whose children are the Things.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="LabThingsConfigurationException">The section cannot be used; lists every problem, each with its configuration path.</exception>
    public LabThingsBuilder AddThingsFromConfiguration(Microsoft.Extensions.Configuration.IConfiguration things)
    {
        foreach (var entry in Configuration.ThingsConfiguration.Read(things))
        {
            AddThing(entry.Name, entry.Type, entry.Factory);
        }

        return this;
    }

    /// <summary>Adds a Thing named <paramref name="name"/>, created by <paramref name="factory"/> when the server is built.</summary>
    /// <typeparam name="T">The Thing type.</typeparam>
    /// <param name="name">The Thing's name: its URL segment.</param>
    /// <param name="factory">Creates the Thing.</param>
    /// <returns>This builder.</returns>
    public LabThingsBuilder AddThing<T>(string name, Func<IServiceProvider, T> factory)
        where T : Thing
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        return Register<T>(new ThingRegistration(name, typeof(T), factory));
    }

    private LabThingsBuilder Register<T>(ThingRegistration registration)
        where T : Thing
    {
        Services.AddSingleton(registration);
        var name = registration.Name;
        Services.TryAddSingleton(sp => (T)sp.GetRequiredService<ThingHost>().Get(name).Thing);
        return this;
    }
}
