using System.Text.Json;
using System.Text.Json.Serialization;

namespace LabThings;

/// <summary>
/// The JSON conventions of LabThings values: property values, action inputs and outputs. The HTTP layer,
/// the JSON schemas in the Thing Description and the OpenAPI document all use these options, so their
/// names agree.
/// </summary>
/// <remarks>
/// Object members are snake_case (<c>FrameRate</c> → <c>frame_rate</c>), as Python clients of
/// labthings-fastapi expect; enums are strings (their C# names); nullable annotations are respected;
/// numbers are never read from strings; unknown object members are rejected.
/// </remarks>
public static class LabThingsJson
{
    /// <summary>The shared, read-only options.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            PropertyNameCaseInsensitive = false,
            WriteIndented = false,

            // Responses are JSON documents, never embedded in HTML: no need to escape '+', '<' or quotes.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
