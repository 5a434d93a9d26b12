namespace LabThings.Server.Hosting;

/// <summary>A Thing added with <see cref="LabThingsBuilder"/>: its name, type and how to create it.</summary>
internal sealed record ThingRegistration(string Name, Type ThingType, Func<IServiceProvider, Thing> Factory);
