using LabThings.Server.Hosting;

namespace LabThings.Server.Endpoints;

/// <summary>
/// The endpoint catalogue: every endpoint the server has, each with its handler and OpenAPI description built side
/// by side (<see cref="ThingEndpoint"/>). Server-wide endpoints first, then each Thing's: its TD and WebSocket, its
/// events, properties, actions and streams.
/// </summary>
internal static class ThingEndpointFactory
{
    public static IEnumerable<ThingEndpoint> Create(EndpointServices services)
    {
        var endpoints = new List<ThingEndpoint>();
        endpoints.AddRange(ThingDescriptionEndpoints.ServerWide(services));
        endpoints.AddRange(InvocationEndpoints.All(services));
        foreach (var thing in services.Host.Things)
        {
            endpoints.AddRange(For(thing, services));
        }

        return endpoints;
    }

    private static IEnumerable<ThingEndpoint> For(HostedThing thing, EndpointServices services)
    {
        var definition = thing.Definition;
        return ThingDescriptionEndpoints.For(thing, services)
            .Concat(ThingPropertiesEndpoints.For(thing, services))
            .Concat(definition.Properties.SelectMany(p => PropertyEndpoints.For(thing, p, services)))
            .Concat(definition.Actions.SelectMany(a => ActionEndpoints.For(thing, a, services)))
            .Concat(definition.Streams.SelectMany(s => StreamEndpoints.For(thing, s, services)));
    }
}
