using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LabThings.Description;
using LabThings.Model;
using LabThings.Outputs;
using LabThings.Server.Hosting;
using LabThings.Server.OpenApi;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.OpenApi;

namespace LabThings.Server.Endpoints;

/// <summary>A stream's endpoints: the MJPEG stream, its viewer page and snapshots.</summary>
internal static class StreamEndpoints
{
    public static IEnumerable<ThingEndpoint> For(HostedThing thing, StreamDefinition definition, EndpointServices services)
    {
        yield return new(
            ThingEndpointKind.Stream,
            "GET",
            ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(definition.Name)),
            thing,
            definition,
            Stream(thing, definition, services),
            api => new OperationBuilder(
                    api,
                    $"{definition.Title}: live MJPEG stream",
                    (definition.Description is { } d ? d + ". " : "") + "A multipart/x-mixed-replace stream of JPEG frames (boundary 'frame'), newest frame first. "
                        + "Show it in an <img> tag; a slow client skips frames rather than falling behind.")
                .Response(200, "The MJPEG stream; it ends when the stream stops", MjpegStream.MultipartContentType, OperationBuilder.Binary()));
        yield return new(
            ThingEndpointKind.StreamViewer,
            "GET",
            ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeViewer(definition.Name)),
            thing,
            definition,
            Viewer(thing, definition),
            api => new OperationBuilder(api, $"{definition.Title}: viewer page", $"An HTML page showing the stream '{definition.Name}' of '{thing.Name}'.")
                .Response(200, "The viewer page", "text/html", new OpenApiSchema { Type = JsonSchemaType.String }));
        yield return new(
            ThingEndpointKind.StreamSnapshot,
            "GET",
            ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeSnapshot(definition.Name)),
            thing,
            definition,
            Snapshot(thing, definition),
            api => new OperationBuilder(api, $"{definition.Title}: snapshot", $"The newest frame of the stream '{definition.Name}' of '{thing.Name}' as a JPEG image.")
                .Response(200, "The newest frame", "image/jpeg", OperationBuilder.Binary())
                .Problem(503, "No frame has been received yet"));
    }

    private static RequestDelegate Stream(HostedThing thing, StreamDefinition definition, EndpointServices services)
        => async context =>
        {
            var options = services.Options;
            var stream = definition.GetStream(thing.Thing);
            var response = context.Response;
            response.ContentType = MjpegStream.MultipartContentType;
            response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            response.Headers.Pragma = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            if (context.Features.Get<IHttpsCompressionFeature>() is { } compression)
            {
                compression.Mode = HttpsCompressionMode.DoNotCompress;
            }

            SlowClientPacer? pacer = null;
            if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            {
                TuneSocket(socket, options);
                // HTTP/1.x only: an HTTP/2 connection carries other requests too, so its TCP state is not this client's.
                if (options.StreamSlowClientThreshold is { } threshold && OperatingSystem.IsLinux() && HttpProtocol.IsHttp11(context.Request.Protocol))
                {
                    pacer = new SlowClientPacer(new LinuxTcpInfoProbe(socket), threshold, TimeProvider.System);
                }
            }

            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, services.Lifetime.ApplicationStopping);
            try
            {
                await response.StartAsync(ended.Token).ConfigureAwait(false);
                await stream.WriteMultipartCoreAsync(response.BodyWriter, pacer, services.StreamSends, ended.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                // The client went away or the server is shutting down: nothing to report.
            }
        };

    /// <summary>
    /// Bounds what the kernel queues for a stream client, so a slow client's next frame is fresh: a smaller send
    /// buffer, and on Linux TCP_NOTSENT_LOWAT, which keeps the socket from reporting itself writable while more than
    /// that many bytes wait unsent. Best effort: an option the platform lacks is skipped.
    /// </summary>
    private static void TuneSocket(Socket socket, LabThingsOptions options)
    {
        try
        {
            if (options.StreamSocketSendBufferBytes is { } sendBuffer)
            {
                socket.SendBufferSize = sendBuffer;
            }

            if (options.StreamNotSentLowWaterBytes is { } lowWater && OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(LinuxTcp.Level, LinuxTcp.NotSentLowWater, BitConverter.GetBytes(lowWater));
            }
        }
        catch (SocketException)
        {
            // Not supported here: the stream still works, with the operating system's buffering.
        }
    }

    private static RequestDelegate Snapshot(HostedThing thing, StreamDefinition definition) => async context =>
    {
        var frame = definition.GetStream(thing.Thing).NewestFrame;
        if (frame is null)
        {
            context.Response.Headers.RetryAfter = "1";
            await Problems.WriteAsync(
                context,
                StatusCodes.Status503ServiceUnavailable,
                "No frame yet",
                $"The stream '{definition.Name}' of Thing '{thing.Name}' has not received a frame yet; try again shortly.").ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.ContentType = "image/jpeg";
        response.ContentLength = frame.Frame.Length;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Frame-Index"] = frame.Index.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-Frame-Timestamp"] = frame.Timestamp.ToString("O", CultureInfo.InvariantCulture);
        await response.Body.WriteAsync(frame.Frame, context.RequestAborted).ConfigureAwait(false);
    };

    private static RequestDelegate Viewer(HostedThing thing, StreamDefinition definition) => context =>
    {
        var pathBase = context.Request.PathBase;

        // A browser cannot put a bearer token on an <img>: a viewer opened with ?access_token= hands it on to the stream.
        var token = context.Request.Query.TryGetValue("access_token", out var value) && value.Count == 1 ? "?access_token=" + Uri.EscapeDataString(value.ToString()) : "";
        var streamUrl = WebUtility.HtmlEncode(pathBase + ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(definition.Name)) + token);
        var snapshotUrl = WebUtility.HtmlEncode(pathBase + ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeSnapshot(definition.Name)) + token);
        var tdUrl = WebUtility.HtmlEncode(pathBase + ThingPaths.Thing(thing.Name));
        var title = WebUtility.HtmlEncode($"{thing.Name}: {definition.Title}");
        var description = definition.Description is { } d ? $"<p>{WebUtility.HtmlEncode(d)}</p>" : "";
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";

        // The page loads nothing but the stream and its own inline style, and no other site may frame it.
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";
        return context.Response.WriteAsync(
            $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}}</title>
            <style>
            body { margin: 0; padding: 1rem; background: #1b1b1b; color: #eee; font-family: system-ui, sans-serif; }
            h1 { font-size: 1.2rem; margin: 0 0 .5rem; }
            img { display: block; max-width: 100%; height: auto; background: #000; }
            a { color: #8cf; }
            </style>
            </head>
            <body>
            <h1>{{title}}</h1>
            {{description}}
            <img id="stream" src="{{streamUrl}}" alt="Live view: {{title}}">
            <p><a href="{{snapshotUrl}}">Snapshot</a> · <a href="{{tdUrl}}">Thing Description</a></p>
            </body>
            </html>
            """,
            context.RequestAborted);
    };
}
