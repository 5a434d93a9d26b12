using System.Collections.Frozen;

namespace LabThings.Model;

/// <summary>
/// The one table of LabThings URL paths. The endpoint mapper takes its routes from here, the Thing Description
/// its relative hrefs, the invocation JSON its links; the names a Thing or affordance may not take are derived
/// from it. Server-wide paths start at the application root; <c>Relative…</c> paths are relative to a Thing's
/// URL (<c>/{thing}/</c>, the TD's <c>base</c>).
/// </summary>
internal static class ThingPaths
{
    /// <summary><c>GET</c>: every Thing's name and TD URL.</summary>
    public const string ThingList = "/things/";

    /// <summary><c>GET</c>: every Thing's TD, by name.</summary>
    public const string ThingDescriptions = "/thing_descriptions/";

    /// <summary><c>GET</c>: every invocation.</summary>
    public const string Invocations = "/action_invocations";

    /// <summary>The OpenAPI document.</summary>
    public const string OpenApiDocument = "/openapi.json";

    /// <summary>Swagger UI's prefix (no slashes): <c>/docs</c>.</summary>
    public const string DocsPrefix = "docs";

    /// <summary>Where blobs are served: <c>/blob/{id}</c>.</summary>
    public const string BlobPrefix = "/blob/";

    /// <summary>The segment of a Thing's WebSocket: <c>/{thing}/ws</c>.</summary>
    public const string WebSocketSegment = "ws";

    /// <summary>An invocation, relative to a Thing's URL, as a URI template with the variable <c>id</c>.</summary>
    public const string RelativeInvocationTemplate = "../action_invocations/{id}";

    /// <summary>First segments of the server's own paths: no Thing may be named after one.</summary>
    public static FrozenSet<string> ReservedThingNames { get; } =
        new[] { ThingList, ThingDescriptions, Invocations, OpenApiDocument, "/" + DocsPrefix, BlobPrefix }
            .Select(path => Path.GetFileNameWithoutExtension(path.Trim('/').Split('/')[0]))
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Segments a Thing's own routes use under <c>/{thing}/</c>: no affordance may be named after one.</summary>
    public static FrozenSet<string> ReservedAffordanceNames { get; } = new[] { WebSocketSegment, PropertiesSegment }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The segment of a Thing's whole-Thing property operations: <c>/{thing}/properties</c>.</summary>
    public const string PropertiesSegment = "properties";

    /// <summary>Why a Thing cannot have this name, or null if it can.</summary>
    public static string? ThingNameProblem(string name)
        => WireNames.UrlProblem(name) ?? (ReservedThingNames.Contains(name) ? $"the name '{name}' is used by the server itself" : null);

    /// <summary>The Thing's own URL, where its TD is served: <c>/{thing}/</c>.</summary>
    public static string Thing(string thing) => $"/{thing}/";

    /// <summary>A path under the Thing's URL: <c>/{thing}/{relative}</c>.</summary>
    public static string UnderThing(string thing, string relative) => Thing(thing) + relative;

    /// <summary>An invocation: <c>/action_invocations/{id}</c>.</summary>
    public static string Invocation(string id) => $"{Invocations}/{id}";

    /// <summary>An invocation's output: <c>/action_invocations/{id}/output</c>.</summary>
    public static string InvocationOutput(string id) => $"{Invocations}/{id}/output";

    /// <summary>A blob: <c>/blob/{id}</c>.</summary>
    public static string Blob(string id) => BlobPrefix + id;

    /// <summary>An affordance (property, action, event, stream): <c>{name}</c>.</summary>
    public static string RelativeAffordance(string name) => name;

    /// <summary>A property's reset: <c>{property}/reset</c>.</summary>
    public static string RelativeReset(string property) => property + "/reset";

    /// <summary>An action's waiting variant, which answers with the output: <c>{action}/sync</c>.</summary>
    public static string RelativeInvokeAndWait(string action) => action + "/sync";

    /// <summary>Server-Sent Events of a property's changes or an action's invocations: <c>{name}/sse</c>.</summary>
    public static string RelativeSse(string name) => name + "/sse";

    /// <summary>Long polling for a property's next value or an event's next payload: <c>{name}/longpoll</c>.</summary>
    public static string RelativeLongPoll(string name) => name + "/longpoll";

    /// <summary>A stream's viewer page: <c>{stream}/viewer</c>.</summary>
    public static string RelativeViewer(string stream) => stream + "/viewer";

    /// <summary>A stream's newest frame: <c>{stream}/snapshot</c>.</summary>
    public static string RelativeSnapshot(string stream) => stream + "/snapshot";
}
