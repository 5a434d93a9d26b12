using LabThings.Model;
using LabThings.Server.Routing;
using Microsoft.OpenApi;

namespace LabThings.Server.OpenApi;

/// <summary>OpenAPI operations for observation: the WebSocket and the Server-Sent Events streams.</summary>
internal static class ObservationOperations
{
    public static OpenApiOperation? Describe(ThingEndpointMetadata metadata, string id, OpenApiDocument document)
    {
        var name = metadata.Affordance?.Name;
        switch (metadata.Kind)
        {
            case ThingEndpointKind.WebSocket:
                var ws = ThingsDocumentFilter.Operation(
                    id,
                    $"Observe '{metadata.ThingName}' over a WebSocket",
                    "Upgrade to a WebSocket, then send {\"messageType\": \"addPropertyObservation\", \"data\": {\"<property>\": true}} "
                    + "(or addActionObservation, addEventSubscription, and remove… to stop). The server sends propertyStatus, actionStatus "
                    + "and event messages, and response messages with an error for requests it cannot serve (404 unknown name, 403 not observable, 400 bad message). "
                    + "Each connection has a bounded queue: a client that cannot keep up loses the oldest notifications and is sent {\"messageType\": \"dropped\", \"data\": {\"count\": n}}.",
                    new OpenApiResponse { Description = "Not a WebSocket request" });
                ws.Responses = new OpenApiResponses
                {
                    ["101"] = new OpenApiResponse { Description = "Switching to the WebSocket protocol" },
                };
                ThingsDocumentFilter.Problem(ws, "426", "Not a WebSocket request");
                return ws;
            case ThingEndpointKind.PropertyObserve:
                return Sse(id, $"Observe {metadata.Affordance!.Title}", $"Each change of '{name}' as a Server-Sent Events record whose data is the new value (JSON).", SchemaOf(metadata.Affordance, document));
            case ThingEndpointKind.ActionObserve:
                return Sse(id, $"Observe invocations of {metadata.Affordance!.Title}", $"Each status change of an invocation of '{name}' (pending, running, completed, cancelled, error) as a Server-Sent Events record: {{\"action name\", \"status\", \"id\", \"href\", and \"output\" or \"error\" at the end}}.", null);
            case ThingEndpointKind.EventSubscribe:
                return Sse(id, $"Subscribe to {metadata.Affordance!.Title}", (metadata.Affordance.Description is { } d ? d + ". " : "") + $"Each '{name}' event as a Server-Sent Events record whose data is its payload (JSON).", SchemaOf(metadata.Affordance, document));
            default:
                return null;
        }
    }

    private static OpenApiOperation Sse(string id, string summary, string description, IOpenApiSchema? data)
        => ThingsDocumentFilter.Operation(
            id,
            summary,
            description + " The stream opens with a comment once subscribed, sends a keep-alive comment every 15 s, and reports notifications dropped for a slow client as an 'event: dropped' record.",
            ThingsDocumentFilter.Ok("An endless text/event-stream; close it to unsubscribe", "text/event-stream", new OpenApiSchema { Type = JsonSchemaType.String, Description = data is null ? null : "Each record's data is JSON" }));

    private static IOpenApiSchema? SchemaOf(AffordanceDefinition affordance, OpenApiDocument document) => affordance switch
    {
        PropertyDefinition property => OpenApiSchemas.From(property.GetSchema(), document),
        EventDefinition thingEvent when thingEvent.GetPayloadSchema() is { } schema => OpenApiSchemas.From(schema, document),
        _ => null,
    };
}
