using System.Text.Json;

namespace LabThings.Server.Endpoints;

/// <summary>
/// Reads JSON from clients strictly: a member name given twice, or a string that is not valid Unicode (a lone
/// surrogate escape such as <c>"\ud800"</c>, or invalid UTF-8) is refused here, once, so that nothing further in
/// gets an exception from a document that was valid JSON on its face.
/// </summary>
internal static class JsonText
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>Parses <paramref name="utf8"/>; null, with a sentence saying why, if it is not acceptable.</summary>
    public static JsonDocument? TryParse(ReadOnlyMemory<byte> utf8, out string? problem)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, Options);
        }
        catch (JsonException ex)
        {
            problem = ex.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
                ? $"A member name appears twice in one object (duplicate keys are not accepted): {ex.Message}"
                : $"Not valid JSON: {ex.Message}";
            return null;
        }
        catch (InvalidOperationException ex)
        {
            // Checking for duplicates reads every member name: one that is not valid Unicode fails here.
            problem = InvalidText(ex);
            return null;
        }

        problem = FindInvalidText(document.RootElement);
        if (problem is not null)
        {
            document.Dispose();
            return null;
        }

        return document;
    }

    private static string? FindInvalidText(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return null;
                case JsonValueKind.Object:
                    foreach (var member in element.EnumerateObject())
                    {
                        _ = member.Name;
                        if (FindInvalidText(member.Value) is { } problem)
                        {
                            return problem;
                        }
                    }

                    return null;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (FindInvalidText(item) is { } problem)
                        {
                            return problem;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }
        catch (InvalidOperationException ex)
        {
            return InvalidText(ex);
        }
    }

    private static string InvalidText(InvalidOperationException ex) => $"A string is not valid Unicode (a lone surrogate or invalid UTF-8): {ex.Message}";
}
