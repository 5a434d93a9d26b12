using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using LabThings.Model;

namespace LabThings.Server.Actions;

/// <summary>
/// An invocation as clients see it, with labthings-fastapi's fields (plus <c>progress</c>). The one wire type of an
/// invocation: every endpoint serializes it with <see cref="LabThingsJson.Options"/>, and the OpenAPI document
/// describes it from this type (<see cref="Schema"/>), so the two cannot disagree.
/// </summary>
internal sealed record InvocationResource(
    [property: JsonPropertyName("status"), Description("Where the invocation is in its life")] InvocationStatus Status,
    [property: JsonPropertyName("id"), Description("The invocation's id")] string Id,
    [property: JsonPropertyName("action"), Description("The action's path")] string Action,
    [property: JsonPropertyName("href"), Description("The invocation's URL")] string Href,
    [property: JsonPropertyName("timeRequested"), Description("When it was requested (ISO 8601)")] IsoTime TimeRequested,
    [property: JsonPropertyName("timeStarted"), Description("When it started running (ISO 8601)")] IsoTime? TimeStarted,
    [property: JsonPropertyName("timeCompleted"), Description("When it finished (ISO 8601)")] IsoTime? TimeCompleted,
    [property: JsonPropertyName("links"), Description("Its own URL (self) and its output's (output)")] IReadOnlyList<InvocationLink> Links,
    [property: JsonPropertyName("input"), Description("The input it was given")] JsonObject Input,
    [property: JsonPropertyName("output"), Description("The output, once completed; a blob as {href, media_type}")] JsonNode? Output,
    [property: JsonPropertyName("log"), Description("Log records written while it ran")] IReadOnlyList<InvocationLogEntry> Log,
    [property: JsonPropertyName("error"), Description("Problem details if it failed")] InvocationError? Error,
    [property: JsonPropertyName("progress"), Description("Fraction done (0 to 1), if the action reports progress")] double? Progress)
{
    /// <summary>The JSON schema of this type, as serialized: what the OpenAPI document describes.</summary>
    public static JsonObject Schema { get; } = CreateSchema();

    /// <summary>A snapshot of <paramref name="invocation"/> with absolute URLs under <paramref name="applicationBase"/>.</summary>
    public static InvocationResource From(Invocation invocation, Uri applicationBase)
    {
        var href = Absolute(applicationBase, ThingPaths.Invocation(invocation.Id));
        return new InvocationResource(
            invocation.Status,
            invocation.Id,
            ThingPaths.UnderThing(invocation.Thing.Name, ThingPaths.RelativeAffordance(invocation.Action.Name)),
            href,
            new IsoTime(invocation.TimeRequested),
            IsoTime.From(invocation.TimeStarted),
            IsoTime.From(invocation.TimeCompleted),
            [new InvocationLink("self", href), new InvocationLink("output", Absolute(applicationBase, ThingPaths.InvocationOutput(invocation.Id)))],
            (JsonObject)invocation.Input.DeepClone(),
            invocation.OutputJson(path => Absolute(applicationBase, path)),
            [.. invocation.Log.Snapshot().Select(r => new InvocationLogEntry(r.Message, r.LevelName, r.LevelNo, new IsoTime(r.Created), r.ExceptionType))],
            invocation.Error,
            invocation.Progress);
    }

    private static string Absolute(Uri applicationBase, string path) => new Uri(applicationBase, path.TrimStart('/')).AbsoluteUri;

    /// <summary>The schema from the type, with the serializer options it is written with; times are ISO 8601 strings.</summary>
    private static JsonObject CreateSchema()
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                // Types with their own converter (IsoTime) and JsonNode come as "accept anything" (true or {}).
                var schema = node as JsonObject ?? [];
                var type = context.TypeInfo.Type;
                if (type == typeof(IsoTime) || type == typeof(IsoTime?))
                {
                    schema.Clear();
                    schema["type"] = type == typeof(IsoTime) ? "string" : new JsonArray("string", "null");
                    schema["format"] = "date-time";
                }
                else if (type == typeof(InvocationStatus) && !schema.ContainsKey("type"))
                {
                    schema.Insert(0, "type", "string");
                }

                if (context.PropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false) is [DescriptionAttribute description, ..])
                {
                    schema["description"] = description.Description;
                }

                return schema;
            },
        };
        return (JsonObject)LabThingsJson.Options.GetJsonSchemaAsNode(typeof(InvocationResource), exporter);
    }
}

/// <summary>A link of an invocation.</summary>
internal sealed record InvocationLink(
    [property: JsonPropertyName("rel")] string Rel,
    [property: JsonPropertyName("href")] string Href);

/// <summary>One log record of an invocation (field names as labthings-fastapi's log records).</summary>
internal sealed record InvocationLogEntry(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("levelname"), Description("DEBUG, INFO, WARNING, ERROR or CRITICAL")] string LevelName,
    [property: JsonPropertyName("levelno"), Description("10, 20, 30, 40 or 50, as Python's logging")] int LevelNo,
    [property: JsonPropertyName("created")] IsoTime Created,
    [property: JsonPropertyName("exception_type")] string? ExceptionType);

/// <summary>Why an invocation failed, as RFC 9457 problem details.</summary>
internal sealed record InvocationError(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail);

/// <summary>A time written as ISO 8601 with seven fractional digits and the offset (the round-trip "O" format).</summary>
[JsonConverter(typeof(IsoTimeConverter))]
internal readonly record struct IsoTime(DateTimeOffset Value)
{
    public static IsoTime? From(DateTimeOffset? value) => value is { } v ? new IsoTime(v) : null;

    public override string ToString() => Value.ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>Writes <see cref="IsoTime"/> as a string in the "O" format; reads any ISO 8601 time.</summary>
internal sealed class IsoTimeConverter : JsonConverter<IsoTime>
{
    public override IsoTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => new(reader.GetDateTimeOffset());

    public override void Write(Utf8JsonWriter writer, IsoTime value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.ToString());
}
