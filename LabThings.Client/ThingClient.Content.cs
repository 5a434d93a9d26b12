using System.Runtime.CompilerServices;
using System.Text.Json;
using LabThings.Client.Internal;

namespace LabThings.Client;

public sealed partial class ThingClient
{
    private const int MaxFrameBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Downloads a blob: an action output that links to its data (LabThings and labthings-fastapi answer
    /// <c>{"href", "media_type"}</c>), or a URL given as a JSON string. Relative links are resolved against the TD's base.
    /// Credentials are sent only when the link has the Thing's own origin.
    /// </summary>
    /// <param name="blob">A link object with an <c>href</c>, or a string holding the URL.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The bytes and their media type (the server's, else the link's <c>media_type</c>).</returns>
    /// <exception cref="ArgumentException"><paramref name="blob"/> is neither a link nor a URL.</exception>
    /// <exception cref="ThingProblemException">The server answered with an error status (404 for a blob that has expired, say).</exception>
    public async Task<ThingContent> DownloadAsync(JsonElement blob, CancellationToken cancellationToken = default)
    {
        var href = blob.ValueKind == JsonValueKind.String ? blob.GetString() : JsonText.String(blob, "href");
        if (string.IsNullOrEmpty(href) || !Uri.TryCreate(href, UriKind.RelativeOrAbsolute, out var link) || (!link.IsAbsoluteUri && _base is null))
        {
            throw new ArgumentException($"Not a blob link: {blob.GetRawText()}. Expected {{\"href\": URL}} or a URL string.", nameof(blob));
        }

        var uri = link.IsAbsoluteUri ? link : new Uri(_base!, link);
        var declared = JsonText.String(blob, "media_type") ?? JsonText.String(blob, "contentType");
        using var response = await SendAsync(HttpMethod.Get, uri, null, null, declared ?? "*/*", HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
        var data = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? declared ?? "application/octet-stream";
        return new ThingContent(mediaType, data);
    }

    /// <summary>
    /// Reads the frames of a property that is a multipart stream (a LabThings MJPEG stream: its
    /// <c>observeproperty</c> form has the content type <c>multipart/x-mixed-replace; boundary=…</c>), one part
    /// per frame, for as long as the caller enumerates. A slow reader skips frames on a LabThings server; it does not
    /// fall behind.
    /// </summary>
    /// <param name="name">The stream property's name in the TD.</param>
    /// <param name="cancellationToken">Ends the stream (the enumeration then throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>Each frame's bytes (JPEG for MJPEG); each is a fresh array the caller may keep. Ends when the server ends the stream.</returns>
    /// <exception cref="ArgumentException">The Thing has no such property.</exception>
    /// <exception cref="NotSupportedException">The property has no multipart form.</exception>
    /// <exception cref="ThingProblemException">The server answered with an error status.</exception>
    /// <exception cref="InvalidDataException">The body is not multipart, or a frame is larger than 32 MiB.</exception>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync(string name, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var affordance = Affordance("properties", name);
        var forms = TdForm.Read(affordance, DefaultPropertyOps(affordance));
        var form = forms.FirstOrDefault(f => f.Ops.Contains("observeproperty") && IsMultipart(f.ExpectedResponseType))
            ?? forms.FirstOrDefault(f => f.Ops.Contains("readproperty") && IsMultipart(f.ExpectedResponseType))
            ?? throw new NotSupportedException($"The property '{name}' of '{Title}' has no multipart (MJPEG) form.");
        var op = form.Ops.Contains("observeproperty") ? "observeproperty" : "readproperty";
        using var response = await SendAsync(form.Method(op), form.Resolve(_base), form, null, form.ExpectedResponseType, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            .ConfigureAwait(false);
        var contentType = response.Content.Headers.ContentType?.ToString();
        var boundary = MultipartFrameReader.Boundary(contentType) ?? MultipartFrameReader.Boundary(form.ExpectedResponseType)
            ?? throw new InvalidDataException($"The stream '{name}' answered '{contentType}', which names no multipart boundary.");
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await foreach (var frame in MultipartFrameReader.ReadPartsAsync(body, boundary, MaxFrameBytes, cancellationToken).ConfigureAwait(false))
            {
                yield return frame;
            }
        }
    }

    private static bool IsMultipart(string contentType) => TdForm.MediaType(contentType).StartsWith("multipart/", StringComparison.Ordinal);
}
