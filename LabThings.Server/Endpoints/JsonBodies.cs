using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LabThings.Server.Endpoints;

/// <summary>Reads JSON request bodies, answering malformed ones with problem details.</summary>
internal static class JsonBodies
{
    /// <summary>Bodies larger than this are refused with 413.</summary>
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Reads the body as one JSON document; on failure writes the problem (415, 413 or 400) and returns null.
    /// A missing Content-Type is taken as JSON, as Python's requests sends none for some bodies. With
    /// <paramref name="allowEmpty"/>, an empty body reads as <c>{}</c> (an action with no parameters).
    /// </summary>
    public static async Task<string?> ReadAsync(HttpContext context, bool allowEmpty)
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

        if (buffer.Length == 0 && allowEmpty)
        {
            return "{}";
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
