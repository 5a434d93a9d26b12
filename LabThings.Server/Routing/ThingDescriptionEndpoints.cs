using System.Text.Json;
using LabThings.Description;
using LabThings.Model;
using LabThings.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Routing;

/// <summary>Serves Thing Descriptions and the list of Things.</summary>
internal static class ThingDescriptionEndpoints
{
    public static RequestDelegate ThingDescription(HostedThing thing) => context =>
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.EndsWith('/'))
        {
            // /camera → /camera/: relative links in the TD resolve against the Thing's URL.
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = context.Request.PathBase + path + "/" + context.Request.QueryString;
            return Task.CompletedTask;
        }

        var td = ThingDescriptionBuilder.Build(thing.Thing, RequestUrls.ApplicationBase(context.Request));
        return WriteJsonAsync(context, td, ThingDescriptionJson.MediaType);
    };

    public static RequestDelegate AllThingDescriptions(ThingHost host) => context =>
    {
        var applicationBase = RequestUrls.ApplicationBase(context.Request);
        var all = host.Things.ToDictionary(
            t => t.Name,
            t => ThingDescriptionBuilder.Build(t.Thing, applicationBase),
            StringComparer.Ordinal);
        return WriteJsonAsync(context, all, "application/json");
    };

    public static RequestDelegate ThingList(ThingHost host) => context =>
    {
        var applicationBase = RequestUrls.ApplicationBase(context.Request);
        var urls = host.Things.ToDictionary(
            t => t.Name,
            t => new Uri(applicationBase, ThingPaths.Thing(t.Name).TrimStart('/')).AbsoluteUri,
            StringComparer.Ordinal);
        return WriteJsonAsync(context, urls, "application/json");
    };

    private static Task WriteJsonAsync<T>(HttpContext context, T value, string contentType)
    {
        context.Response.ContentType = contentType;
        return JsonSerializer.SerializeAsync(context.Response.Body, value, ThingDescriptionJson.Options, context.RequestAborted);
    }
}
