namespace LabThings.Server.Hosting;

/// <summary>
/// A Thing added with <see cref="LabThingsBuilder"/>: its name, type and how to create it; <paramref name="ByDependencyInjection"/>
/// when the container creates it from its constructor (so start-up checks that the constructor's parameters are services).
/// </summary>
internal sealed record ThingRegistration(string Name, Type ThingType, Func<IServiceProvider, Thing> Factory, bool ByDependencyInjection = false);
