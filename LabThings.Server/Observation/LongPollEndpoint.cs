using LabThings.Model;
using LabThings.Server.Endpoints;
using LabThings.Server.Hosting;
using LabThings.Server.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace LabThings.Server.Observation;

/// <summary>
/// Long polling (the WoT HTTP binding's <c>longpoll</c> subprotocol): <c>GET {name}/longpoll</c> answers with the
/// next value of a property (or the next payload of an event) once there is one; <c>HEAD</c> answers at once, as a
/// handshake. Clients that cannot put credentials on an <c>EventSource</c> (node-wot) observe through it.
/// </summary>
internal static class LongPollEndpoint
{
    public static IEnumerable<ThingEndpoint> Create(HostedThing thing, AffordanceDefinition affordance, ObservationKind observed, EndpointServices services)
    {
        var route = ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeLongPoll(affordance.Name));
        var key = new ObservationKey(thing.Name, observed, affordance.Name);
        var what = observed == ObservationKind.Property ? "value" : "payload";
        yield return new ThingEndpoint(
            ThingEndpointKind.LongPoll,
            "GET",
            route,
            thing,
            affordance,
            Handle(key, services.Hub, services.Lifetime),
            api => new OperationBuilder(api, $"Wait for the next {what} of {affordance.Title}", $"Answers with the next {what} of '{affordance.Name}' (JSON) as soon as there is one; poll again for the one after. Changes between two polls are not kept: observe over Server-Sent Events or the WebSocket to see every one.")
                .Json(200, $"The next {what}", new OpenApiSchema())
                .Problem(503, "The server is stopping"));
        yield return new ThingEndpoint(
            ThingEndpointKind.LongPoll,
            "HEAD",
            route,
            thing,
            affordance,
            context =>
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/json";
                return Task.CompletedTask;
            },
            api => new OperationBuilder(api, $"Check that {affordance.Title} can be long-polled", "Answers at once with no body.")
                .Response(200, "It can"));
    }

    private static RequestDelegate Handle(ObservationKey key, ObservationHub hub, IHostApplicationLifetime lifetime) => async context =>
    {
        var subscriber = new Subscriber();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        using var subscription = hub.Subscribe(key, subscriber);
        Notification? next = null;
        try
        {
            if (await subscriber.Reader.WaitToReadAsync(ended.Token).ConfigureAwait(false))
            {
                subscriber.Reader.TryRead(out next);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, or the server is stopping (answered below if the client is still there).
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (next is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Server stopping", "The server is stopping; poll again when it is back.").ConfigureAwait(false);
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        await JsonResponses.WriteUtf8Async(context, StatusCodes.Status200OK, System.Text.Encoding.UTF8.GetBytes(next.PayloadJson), "application/json").ConfigureAwait(false);
    };
}
