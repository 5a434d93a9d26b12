using System.Text.Json;
using LabThings.Description;
using LabThings.Model;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
using LabThings.Server.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace LabThings.Server.Endpoints;

/// <summary>The Thing Descriptions, the list of Things, and each Thing's own observation endpoints (WebSocket, events).</summary>
internal static class ThingDescriptionEndpoints
{
    /// <summary>The server-wide endpoints: <c>/things/</c> and <c>/thing_descriptions/</c>.</summary>
    public static IEnumerable<ThingEndpoint> ServerWide(EndpointServices services)
    {
        var host = services.Host;
        yield return new(
            ThingEndpointKind.ThingList,
            "GET",
            ThingPaths.ThingList,
            null,
            null,
            context =>
            {
                var applicationBase = RequestUrls.ApplicationBase(context.Request);
                var urls = host.Things.ToDictionary(t => t.Name, t => new Uri(applicationBase, ThingPaths.Thing(t.Name).TrimStart('/')).AbsoluteUri, StringComparer.Ordinal);
                return JsonResponses.WriteAsync(context, StatusCodes.Status200OK, urls);
            },
            api => new OperationBuilder(api, "List the Things on this server", "An object mapping each Thing's name to the absolute URL of its Thing Description.")
                .Json(200, "Thing names and TD URLs", new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" } }));

        yield return new(
            ThingEndpointKind.ThingDescriptions,
            "GET",
            ThingPaths.ThingDescriptions,
            null,
            null,
            context =>
            {
                // {name: TD, …}: each TD as the builder writes it.
                var applicationBase = RequestUrls.ApplicationBase(context.Request);
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    foreach (var thing in host.Things)
                    {
                        writer.WritePropertyName(thing.Name);
                        writer.WriteRawValue(ThingDescriptionBuilder.BuildJson(thing.Thing, applicationBase, services.Security.Description, thing.Uses), skipInputValidation: true);
                    }

                    writer.WriteEndObject();
                }

                return JsonResponses.WriteUtf8Async(context, StatusCodes.Status200OK, buffer.ToArray());
            },
            api => new OperationBuilder(api, "Get every Thing Description", "An object mapping each Thing's name to its W3C Thing Description.")
                .Json(200, "Thing Descriptions by name", new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Object } }));
    }

    /// <summary>A Thing's own endpoints: its TD, its WebSocket, and its events as Server-Sent Events.</summary>
    public static IEnumerable<ThingEndpoint> For(HostedThing thing, EndpointServices services)
    {
        yield return new(
            ThingEndpointKind.ThingDescription,
            "GET",
            ThingPaths.Thing(thing.Name),
            thing,
            null,
            context =>
            {
                var path = context.Request.Path.Value ?? "";
                if (!path.EndsWith('/'))
                {
                    // /camera → /camera/: relative links in the TD resolve against the Thing's URL.
                    context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                    context.Response.Headers.Location = context.Request.PathBase + path + "/" + context.Request.QueryString;
                    return Task.CompletedTask;
                }

                return JsonResponses.WriteUtf8Async(context, StatusCodes.Status200OK, ThingDescriptionBuilder.BuildJson(thing.Thing, RequestUrls.ApplicationBase(context.Request), services.Security.Description, thing.Uses), ThingDescriptionBuilder.MediaType);
            },
            api => new OperationBuilder(api, $"Thing Description of '{thing.Name}'", $"The W3C Thing Description (TD 1.1) of '{thing.Name}'{(thing.Definition.Description is { } d ? ": " + d : ".")}")
                .Response(200, "The Thing Description", ThingDescriptionBuilder.MediaType, new OpenApiSchema { Type = JsonSchemaType.Object })
                .Response(307, "Requested without the final '/': redirects to the Thing's URL, which ends in '/'"));

        yield return new(
            ThingEndpointKind.WebSocket,
            "GET",
            ThingPaths.UnderThing(thing.Name, ThingPaths.WebSocketSegment),
            thing,
            null,
            WebSocketEndpoint.Handle(thing, services.Hub, services.Lifetime),
            api => WebSocketEndpoint.Describe(api, thing));

        foreach (var thingEvent in thing.Definition.Events)
        {
            yield return SseEndpoint.Create(
                ThingEndpointKind.EventSubscribe,
                ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(thingEvent.Name)),
                thing,
                thingEvent,
                ObservationKind.Event,
                services,
                $"Subscribe to {thingEvent.Title}",
                (thingEvent.Description is { } d ? d + ". " : "") + $"Each '{thingEvent.Name}' event as a Server-Sent Events record whose data is its payload (JSON).");
            foreach (var longPoll in LongPollEndpoint.Create(thing, thingEvent, ObservationKind.Event, services))
            {
                yield return longPoll;
            }
        }
    }
}
