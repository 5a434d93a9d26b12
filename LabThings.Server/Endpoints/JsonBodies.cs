using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LabThings.Server.Endpoints;

/// <summary>Reads JSON request bodies, answering unacceptable ones with problem details.</summary>
internal static class JsonBodies
{
    /// <summary>Bodies larger than this are refused with 413.</summary>
    internal const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Reads the body as one JSON document; on failure writes the problem and returns null: 415 for another media
    /// type, 413 as soon as more than <see cref="MaxBodyBytes"/> arrive (with or without Content-Length), 400 for
    /// malformed JSON, a duplicate member name or a string that is not valid Unicode. A missing Content-Type is taken
    /// as JSON, as Python's requests sends none for some bodies. With <paramref name="allowEmpty"/>, an empty body
    /// reads as <c>{}</c> (an action with no parameters).
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
            await TooLargeAsync(context).ConfigureAwait(false);
            return null;
        }

        var body = await ReadBoundedAsync(request.Body, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await TooLargeAsync(context).ConfigureAwait(false);
            return null;
        }

        if (body.Length == 0 && allowEmpty)
        {
            return "{}";
        }

        using var document = JsonText.TryParse(body, out var problem);
        if (document is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Malformed JSON", problem!).ConfigureAwait(false);
            return null;
        }

        return Encoding.UTF8.GetString(body);
    }

    /// <summary>The whole body, or null as soon as it is longer than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                // Never ask for more than one byte past the limit: that byte is enough to know the body is too large.
                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxBodyBytes + 1) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
                if (length > MaxBodyBytes)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Task TooLargeAsync(HttpContext context)
        => Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body may be at most {MaxBodyBytes} bytes.");
}
