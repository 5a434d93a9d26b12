using System.Net;
using System.Text;
using System.Text.Json;

namespace LabThings.Client.Internal;

/// <summary>Turns an error response into a <see cref="ThingProblemException"/>.</summary>
internal static class Problems
{
    private const int MaxBody = 64 * 1024;

    public static async Task<ThingProblemException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var reason = response.ReasonPhrase is { Length: > 0 } phrase ? phrase : status.ToString();
        byte[] bytes;
        try
        {
            bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            bytes = [];
        }

        if (bytes.Length > MaxBody)
        {
            bytes = bytes[..MaxBody];
        }

        JsonElement body = default;
        if (TdForm.IsJson(response.Content.Headers.ContentType?.MediaType) && bytes.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(bytes);
                body = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                body = default;
            }
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            var text = bytes.Length == 0 ? null : Encoding.UTF8.GetString(bytes).Trim();
            return new ThingProblemException(status, reason, string.IsNullOrEmpty(text) ? null : text, null, [], body);
        }

        var title = JsonText.String(body, "title") ?? reason;
        var type = JsonText.String(body, "type");
        var detail = JsonText.String(body, "detail");
        var errors = new List<ThingFieldError>();
        if (body.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            // LabThings: [{field (JSON Pointer), rule, message}].
            foreach (var error in list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
            {
                errors.Add(new ThingFieldError(JsonText.String(error, "field") ?? "", JsonText.String(error, "message") ?? "", JsonText.String(error, "rule")));
            }
        }
        else if (body.TryGetProperty("detail", out var fastApi) && fastApi.ValueKind == JsonValueKind.Array)
        {
            // FastAPI (labthings-fastapi): {"detail": [{loc: [...], msg, type}]}.
            foreach (var error in fastApi.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
            {
                var location = error.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array
                    ? string.Join('.', loc.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString() : p.GetRawText()))
                    : "";
                errors.Add(new ThingFieldError(location, JsonText.String(error, "msg") ?? "", JsonText.String(error, "type")));
            }

            detail = string.Join("; ", errors.Select(e => e.Field.Length == 0 ? e.Message : $"{e.Field}: {e.Message}"));
        }

        return new ThingProblemException(status, title, detail, type, errors, body);
    }
}
