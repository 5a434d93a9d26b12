using System.Text.Json.Nodes;

namespace LabThings.Schema;

/// <summary>The JSON form of a <see cref="Outputs.Blob"/>: <c>{"href": "…/blob/{id}", "media_type": "image/jpeg"}</c>.</summary>
internal static class BlobSchema
{
    public static JsonObject Create(string? description = null)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["href"] = new JsonObject { ["type"] = "string", ["format"] = "uri-reference", ["description"] = "Where to download the data" },
                ["media_type"] = new JsonObject { ["type"] = "string", ["description"] = "The data's media type" },
            },
            ["required"] = new JsonArray("href"),
        };
        if (description is not null)
        {
            schema["description"] = description;
        }

        return schema;
    }
}
