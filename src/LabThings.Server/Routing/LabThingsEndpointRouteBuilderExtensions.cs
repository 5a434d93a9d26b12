using LabThings.Description;
using LabThings.Server;
using LabThings.Server.Hosting;
using LabThings.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoints of the Things added with <c>AddLabThings()</c>.</summary>
public static class LabThingsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every Thing's endpoints (its Thing Description at <c>/{thing}/</c>, its streams, …), the
    /// server-wide <c>/things/</c> and <c>/thing_descriptions/</c>, and the OpenAPI document at
    /// <c>/openapi.json</c> (Swagger UI is served at <c>/docs</c>).
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <returns>A builder to add conventions (authorization, CORS, …) to every LabThings endpoint.</returns>
    /// <exception cref="LabThings.Model.ThingDefinitionException">A Thing cannot be described or a name is invalid; lists every problem.</exception>
    /// <exception cref="InvalidOperationException"><c>AddLabThings()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapThings(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var host = services.GetService<ThingHost>()
            ?? throw new InvalidOperationException("Call services.AddLabThings() before app.MapThings().");
        var options = services.GetRequiredService<IOptions<LabThingsOptions>>().Value;
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();

        var group = endpoints.MapGroup("");
        Map(group, ThingUrls.ThingsPath, ThingDescriptionEndpoints.ThingList(host), new(ThingEndpointKind.ThingList, "GET", ThingUrls.ThingsPath));
        Map(group, ThingUrls.ThingDescriptionsPath, ThingDescriptionEndpoints.AllThingDescriptions(host), new(ThingEndpointKind.ThingDescriptions, "GET", ThingUrls.ThingDescriptionsPath));

        foreach (var thing in host.Things)
        {
            var thingPath = ThingUrls.Thing(thing.Name);
            Map(group, thingPath, ThingDescriptionEndpoints.ThingDescription(thing), new(ThingEndpointKind.ThingDescription, "GET", thingPath, thing.Name, thing.Definition));
            foreach (var property in thing.Definition.Properties)
            {
                var path = ThingUrls.Affordance(thing.Name, property.Name);
                Map(group, path, PropertyEndpoints.Read(thing, property), new(ThingEndpointKind.PropertyRead, "GET", path, thing.Name, thing.Definition, property));
                Map(group, path, PropertyEndpoints.Write(thing, property), new(ThingEndpointKind.PropertyWrite, "PUT", path, thing.Name, thing.Definition, property));
                // Read-only means read-only for clients: they cannot reset it either (labthings-fastapi lets them).
                if (property.IsResettable && !property.ReadOnly)
                {
                    var resetPath = ThingUrls.PropertyReset(thing.Name, property.Name);
                    Map(group, resetPath, PropertyEndpoints.Reset(thing, property), new(ThingEndpointKind.PropertyReset, "POST", resetPath, thing.Name, thing.Definition, property));
                }
            }

            foreach (var stream in thing.Definition.Streams)
            {
                var streamPath = ThingUrls.Affordance(thing.Name, stream.Name);
                var viewerPath = ThingUrls.StreamViewer(thing.Name, stream.Name);
                var snapshotPath = ThingUrls.StreamSnapshot(thing.Name, stream.Name);
                Map(group, streamPath, StreamEndpoints.Stream(thing, stream, options, lifetime), new(ThingEndpointKind.Stream, "GET", streamPath, thing.Name, thing.Definition, stream));
                Map(group, viewerPath, StreamEndpoints.Viewer(thing, stream), new(ThingEndpointKind.StreamViewer, "GET", viewerPath, thing.Name, thing.Definition, stream));
                Map(group, snapshotPath, StreamEndpoints.Snapshot(thing, stream), new(ThingEndpointKind.StreamSnapshot, "GET", snapshotPath, thing.Name, thing.Definition, stream));
            }
        }

        group.MapSwagger(ThingUrls.OpenApiPath.Replace("openapi", "{documentName}", StringComparison.Ordinal));
        return group;
    }

    private static void Map(RouteGroupBuilder group, string pattern, RequestDelegate handler, ThingEndpointMetadata metadata)
        => group.MapMethods(pattern, [metadata.Method], handler)
            .WithMetadata(metadata)
            .WithDisplayName($"LabThings {metadata.Kind} {metadata.Method} {pattern}");
}
