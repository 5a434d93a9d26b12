using LabThings.Model;
using LabThings.Schema;
using LabThings.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Routing;

/// <summary>Reads, writes and resets a Thing's properties over HTTP.</summary>
internal static class PropertyEndpoints
{
    public static RequestDelegate Read(HostedThing thing, PropertyDefinition definition) => async context =>
    {
        var property = thing.Thing.Properties[definition.Name];
        byte[] json;
        try
        {
            json = property.GetJsonUtf8();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A functional getter talks to hardware; its failure is the server's, reported as a problem.
            await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "Reading the property failed", $"Reading '{definition.Name}' of '{thing.Name}' failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    };

    public static RequestDelegate Write(HostedThing thing, PropertyDefinition definition) => async context =>
    {
        if (!definition.IsWritable)
        {
            context.Response.Headers.Allow = "GET";
            await Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Property is read-only", $"'{definition.Name}' of '{thing.Name}' can be read but not written.").ConfigureAwait(false);
            return;
        }

        var body = await JsonBodies.ReadAsync(context, allowEmpty: false).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        try
        {
            thing.Thing.Properties[definition.Name].SetJson(body);
        }
        catch (PropertyValidationException ex)
        {
            await Problems.WriteValidationAsync(context, ex.Message, ex.Problems).ConfigureAwait(false);
            return;
        }
        catch (ArgumentException ex)
        {
            // The Thing's setter refused the value (e.g. ArgumentOutOfRangeException).
            await Problems.WriteValidationAsync(context, $"Invalid value for '{definition.Name}': {ex.Message}", [new ValidationProblem("", "setter", ex.Message)]).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
    };

    public static RequestDelegate Reset(HostedThing thing, PropertyDefinition definition) => async context =>
    {
        var property = thing.Thing.Properties[definition.Name];
        property.Reset();
        var json = property.GetJsonUtf8();
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    };
}
