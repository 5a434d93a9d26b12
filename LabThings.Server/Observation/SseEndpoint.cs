using System.Globalization;
using System.Text;
using LabThings.Model;
using LabThings.Server.Endpoints;
using LabThings.Server.Hosting;
using LabThings.Server.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace LabThings.Server.Observation;

/// <summary>
/// Server-Sent Events (<c>text/event-stream</c>) for one affordance: each notification is one <c>data:</c> record
/// holding its JSON (the property's value, the action's status object, or the event's payload). The stream
/// opens with a comment line once the subscription is in place, sends a keep-alive comment every 15 seconds,
/// and reports dropped notifications as an <c>event: dropped</c> record whose data is the count.
/// Closing the connection unsubscribes at once.
/// </summary>
internal static class SseEndpoint
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>The SSE endpoint of one affordance, at <paramref name="route"/>, with its OpenAPI description.</summary>
    public static ThingEndpoint Create(ThingEndpointKind kind, string route, HostedThing thing, AffordanceDefinition affordance, ObservationKind observed, EndpointServices services, string summary, string description) => new(
        kind,
        "GET",
        route,
        thing,
        affordance,
        Handle(new ObservationKey(thing.Name, observed, affordance.Name), services.Hub, services.Lifetime),
        api => Describe(api, summary, description));

    private static OperationBuilder Describe(OpenApiContext api, string summary, string description)
        => new OperationBuilder(
                api,
                summary,
                description + " The stream opens with a comment once subscribed, sends a keep-alive comment every 15 s, and reports notifications dropped for a slow client as an 'event: dropped' record.")
            .Response(200, "An endless text/event-stream; close it to unsubscribe", "text/event-stream", new OpenApiSchema { Type = JsonSchemaType.String });

    private static RequestDelegate Handle(ObservationKey key, ObservationHub hub, IHostApplicationLifetime lifetime) => async context =>
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (context.Features.Get<IHttpsCompressionFeature>() is { } compression)
        {
            compression.Mode = HttpsCompressionMode.DoNotCompress;
        }

        var subscriber = new Subscriber();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        using var subscription = hub.Subscribe(key, subscriber);
        try
        {
            await response.Body.WriteAsync(": subscribed\n\n"u8.ToArray(), ended.Token).ConfigureAwait(false);
            await response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            while (!ended.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
                wait.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await subscriber.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ended.IsCancellationRequested)
                {
                    await response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), ended.Token).ConfigureAwait(false);
                    await response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (subscriber.Reader.TryRead(out var notification))
                {
                    var dropped = subscriber.TakeDropped();
                    if (dropped > 0)
                    {
                        await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"event: dropped\ndata: {dropped.ToString(CultureInfo.InvariantCulture)}\n\n"), ended.Token).ConfigureAwait(false);
                    }

                    await response.Body.WriteAsync(notification.SseRecord, ended.Token).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away or the server is stopping; the subscription ends with this request.
        }
    };
}
