using LabThings.Description;
using LabThings.Model;
using LabThings.Server;
using LabThings.Server.Actions;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
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
        var invocations = services.GetRequiredService<InvocationManager>();
        var blobs = services.GetRequiredService<BlobStore>();
        var hub = services.GetRequiredService<ObservationHub>();

        var group = endpoints.MapGroup("");
        Map(group, ThingPaths.ThingList, ThingDescriptionEndpoints.ThingList(host), new(ThingEndpointKind.ThingList, "GET", ThingPaths.ThingList));
        Map(group, ThingPaths.ThingDescriptions, ThingDescriptionEndpoints.AllThingDescriptions(host), new(ThingEndpointKind.ThingDescriptions, "GET", ThingPaths.ThingDescriptions));

        Map(group, ThingPaths.Invocations, ActionEndpoints.List(invocations), new(ThingEndpointKind.InvocationList, "GET", ThingPaths.Invocations));
        Map(group, ThingPaths.Invocation("{id}"), ActionEndpoints.Get(invocations), new(ThingEndpointKind.Invocation, "GET", ThingPaths.Invocation("{id}")));
        Map(group, ThingPaths.InvocationOutput("{id}"), ActionEndpoints.Output(invocations, blobs), new(ThingEndpointKind.InvocationOutput, "GET", ThingPaths.InvocationOutput("{id}")));
        Map(group, ThingPaths.Invocation("{id}"), ActionEndpoints.Cancel(invocations), new(ThingEndpointKind.InvocationCancel, "DELETE", ThingPaths.Invocation("{id}")));
        Map(group, ThingPaths.Blob("{id}"), ActionEndpoints.Blob(blobs), new(ThingEndpointKind.Blob, "GET", ThingPaths.Blob("{id}")));

        foreach (var thing in host.Things)
        {
            var thingPath = ThingPaths.Thing(thing.Name);
            Map(group, thingPath, ThingDescriptionEndpoints.ThingDescription(thing), new(ThingEndpointKind.ThingDescription, "GET", thingPath, thing.Name, thing.Definition));
            var wsPath = ThingPaths.UnderThing(thing.Name, ThingPaths.WebSocketSegment);
            Map(group, wsPath, WebSocketEndpoint.Handle(thing, hub, lifetime), new(ThingEndpointKind.WebSocket, "GET", wsPath, thing.Name, thing.Definition));
            foreach (var thingEvent in thing.Definition.Events)
            {
                var path = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(thingEvent.Name));
                var key = new ObservationKey(thing.Name, ObservationKind.Event, thingEvent.Name);
                Map(group, path, SseEndpoint.Handle(key, hub, lifetime), new(ThingEndpointKind.EventSubscribe, "GET", path, thing.Name, thing.Definition, thingEvent));
            }

            foreach (var property in thing.Definition.Properties)
            {
                var path = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(property.Name));
                Map(group, path, PropertyEndpoints.Read(thing, property), new(ThingEndpointKind.PropertyRead, "GET", path, thing.Name, thing.Definition, property));
                Map(group, path, PropertyEndpoints.Write(thing, property), new(ThingEndpointKind.PropertyWrite, "PUT", path, thing.Name, thing.Definition, property));
                if (property.Observable)
                {
                    var ssePath = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeSse(property.Name));
                    var key = new ObservationKey(thing.Name, ObservationKind.Property, property.Name);
                    Map(group, ssePath, SseEndpoint.Handle(key, hub, lifetime), new(ThingEndpointKind.PropertyObserve, "GET", ssePath, thing.Name, thing.Definition, property));
                }

                // Read-only means read-only for clients: they cannot reset it either (labthings-fastapi lets them).
                if (property.IsResettable && property.IsWritable)
                {
                    var resetPath = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeReset(property.Name));
                    Map(group, resetPath, PropertyEndpoints.Reset(thing, property), new(ThingEndpointKind.PropertyReset, "POST", resetPath, thing.Name, thing.Definition, property));
                }
            }

            foreach (var action in thing.Definition.Actions)
            {
                var path = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(action.Name));
                var syncPath = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeInvokeAndWait(action.Name));
                Map(group, path, ActionEndpoints.Invoke(thing, action, invocations, blobs), new(ThingEndpointKind.ActionInvoke, "POST", path, thing.Name, thing.Definition, action));
                Map(group, syncPath, ActionEndpoints.InvokeAndWait(thing, action, invocations, blobs, options), new(ThingEndpointKind.ActionInvokeAndWait, "POST", syncPath, thing.Name, thing.Definition, action));
                Map(group, path, ActionEndpoints.List(invocations, thing, action), new(ThingEndpointKind.ActionInvocations, "GET", path, thing.Name, thing.Definition, action));
                var actionSsePath = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeSse(action.Name));
                var actionKey = new ObservationKey(thing.Name, ObservationKind.Action, action.Name);
                Map(group, actionSsePath, SseEndpoint.Handle(actionKey, hub, lifetime), new(ThingEndpointKind.ActionObserve, "GET", actionSsePath, thing.Name, thing.Definition, action));
            }

            foreach (var stream in thing.Definition.Streams)
            {
                var streamPath = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(stream.Name));
                var viewerPath = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeViewer(stream.Name));
                var snapshotPath = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeSnapshot(stream.Name));
                Map(group, streamPath, StreamEndpoints.Stream(thing, stream, options, lifetime), new(ThingEndpointKind.Stream, "GET", streamPath, thing.Name, thing.Definition, stream));
                Map(group, viewerPath, StreamEndpoints.Viewer(thing, stream), new(ThingEndpointKind.StreamViewer, "GET", viewerPath, thing.Name, thing.Definition, stream));
                Map(group, snapshotPath, StreamEndpoints.Snapshot(thing, stream), new(ThingEndpointKind.StreamSnapshot, "GET", snapshotPath, thing.Name, thing.Definition, stream));
            }
        }

        group.MapSwagger(ThingPaths.OpenApiDocument.Replace("openapi", "{documentName}", StringComparison.Ordinal));
        return group;
    }

    private static void Map(RouteGroupBuilder group, string pattern, RequestDelegate handler, ThingEndpointMetadata metadata)
        => group.MapMethods(pattern, [metadata.Method], handler)
            .WithMetadata(metadata)
            .WithDisplayName($"LabThings {metadata.Kind} {metadata.Method} {pattern}");
}
