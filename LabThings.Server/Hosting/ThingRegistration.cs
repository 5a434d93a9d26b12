namespace LabThings.Server.Hosting;

/// <summary>
/// A Thing added with <see cref="LabThingsBuilder"/>: its name, type and how to create it. A null factory means
/// the server creates it with dependency injection (so start-up checks that the constructor's parameters are
/// services), passing the Things its constructor's slots take.
/// </summary>
internal sealed record ThingRegistration(string Name, Type ThingType, Func<IServiceProvider, Thing>? Factory)
{
    /// <summary>Whether the container creates the Thing from its constructor.</summary>
    public bool ByDependencyInjection => Factory is null;
}
