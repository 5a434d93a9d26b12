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
