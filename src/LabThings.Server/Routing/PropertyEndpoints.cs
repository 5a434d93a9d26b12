using System.Text;
using System.Text.Json;
using LabThings.Model;
using LabThings.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LabThings.Server.Routing;

/// <summary>Reads, writes and resets a Thing's properties over HTTP.</summary>
internal static class PropertyEndpoints
{
    /// <summary>Bodies larger than this are refused with 413: property values are small.</summary>
    private const int MaxBodyBytes = 4 * 1024 * 1024;

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
        if (definition.ReadOnly || definition.Setter is null)
        {
            context.Response.Headers.Allow = "GET";
            await Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Property is read-only", $"'{definition.Name}' of '{thing.Name}' can be read but not written.").ConfigureAwait(false);
            return;
        }

        var body = await ReadJsonBodyAsync(context).ConfigureAwait(false);
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

    /// <summary>
    /// Reads the body as one JSON document; on failure writes the problem (415, 413 or 400) and returns null.
    /// A missing Content-Type is taken as JSON, as Python's requests sends none for some bodies.
    /// </summary>
    internal static async Task<string?> ReadJsonBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentType is { } contentType
            && (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
                || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))))
        {
            await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Send the value as application/json, not {contentType}.").ConfigureAwait(false);
            return null;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body may be at most {MaxBodyBytes} bytes.").ConfigureAwait(false);
            return null;
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (buffer.Length > MaxBodyBytes)
        {
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body may be at most {MaxBodyBytes} bytes.").ConfigureAwait(false);
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (JsonException ex)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Malformed JSON", $"The body is not valid JSON: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
