using System.Text.Json;
using System.Text.Json.Serialization;

namespace LabThings.Description;

/// <summary>How Thing Descriptions are written as JSON.</summary>
internal static class ThingDescriptionJson
{
    /// <summary>The media type of a Thing Description: <c>application/td+json</c>.</summary>
    public const string MediaType = "application/td+json";

    /// <summary>Serializer options for <see cref="ThingDescription"/>: null members are left out. Do not modify.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
