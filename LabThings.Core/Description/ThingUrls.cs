namespace LabThings.Description;

/// <summary>
/// Every URL LabThings serves for a Thing, built in this one place for both the endpoint mapper and the
/// Thing Description. Paths are absolute from the application's root; <c>Relative*</c> forms are
/// relative to the Thing's URL (the TD's <c>base</c>).
/// </summary>
public static class ThingUrls
{
    /// <summary>Lists every Thing's TD URL.</summary>
    public const string ThingsPath = "/things/";

    /// <summary>Every Thing's TD, by name.</summary>
    public const string ThingDescriptionsPath = "/thing_descriptions/";

    /// <summary>The OpenAPI document.</summary>
    public const string OpenApiPath = "/openapi.json";

    /// <summary>The Swagger UI prefix (without slashes).</summary>
    public const string DocsPrefix = "docs";

    /// <summary>The Thing's own URL, where its TD is served: <c>/{thing}/</c>.</summary>
    /// <param name="thing">The Thing's name.</param>
    /// <returns>The path.</returns>
    public static string Thing(string thing) => $"/{thing}/";

    /// <summary>An affordance's URL: <c>/{thing}/{affordance}</c>.</summary>
    /// <param name="thing">The Thing's name.</param>
    /// <param name="affordance">The affordance's wire name.</param>
    /// <returns>The path.</returns>
    public static string Affordance(string thing, string affordance) => Thing(thing) + RelativeAffordance(affordance);

    /// <summary>A property's reset endpoint: <c>/{thing}/{property}/reset</c>.</summary>
    /// <param name="thing">The Thing's name.</param>
    /// <param name="property">The property's wire name.</param>
    /// <returns>The path.</returns>
    public static string PropertyReset(string thing, string property) => Thing(thing) + property + "/reset";

    /// <summary>An action's waiting variant, which answers with the output: <c>/{thing}/{action}/sync</c>.</summary>
    /// <param name="thing">The Thing's name.</param>
    /// <param name="action">The action's wire name.</param>
    /// <returns>The path.</returns>
    public static string ActionInvokeAndWait(string thing, string action) => Thing(thing) + RelativeActionInvokeAndWait(action);

    /// <summary>An action's waiting variant relative to the Thing's URL.</summary>
    /// <param name="action">The action's wire name.</param>
    /// <returns>The relative reference.</returns>
    public static string RelativeActionInvokeAndWait(string action) => action + "/sync";

    /// <summary>An invocation, relative to a Thing's URL, as a URI template with the variable <c>id</c>.</summary>
    public const string RelativeInvocationTemplate = "../action_invocations/{id}";

    /// <summary>The Thing's WebSocket for observation: <c>/{thing}/ws</c>.</summary>
    /// <param name="thing">The Thing's name.</param>
    /// <returns>The path.</returns>
    public static string WebSocket(string thing) => Thing(thing) + "ws";

    /// <summary>Server-Sent Events for a property's changes or an action's status: <c>/{thing}/{affordance}/sse</c>.</summary>
    /// <param name="thing">The Thing's name.</param>
    /// <param name="affordance">The property's or action's wire name.</param>
    /// <returns>The path.</returns>
    public static string Sse(string thing, string affordance) => Thing(thing) + RelativeSse(affordance);

    /// <summary>A property's or action's Server-Sent Events relative to the Thing's URL.</summary>
    /// <param name="affordance">The wire name.</param>
    /// <returns>The relative reference.</returns>
    public static string RelativeSse(string affordance) => affordance + "/sse";

    /// <summary>A stream's viewer page: <c>/{thing}/{stream}/viewer</c>.</summary>
    /// <param name="thing">The Thing's name.</param>
    /// <param name="stream">The stream's wire name.</param>
    /// <returns>The path.</returns>
    public static string StreamViewer(string thing, string stream) => Thing(thing) + RelativeStreamViewer(stream);

    /// <summary>A stream's snapshot: <c>/{thing}/{stream}/snapshot</c>.</summary>
    /// <param name="thing">The Thing's name.</param>
    /// <param name="stream">The stream's wire name.</param>
    /// <returns>The path.</returns>
    public static string StreamSnapshot(string thing, string stream) => Thing(thing) + RelativeStreamSnapshot(stream);

    /// <summary>An affordance's URL relative to the Thing's URL.</summary>
    /// <param name="affordance">The affordance's wire name.</param>
    /// <returns>The relative reference.</returns>
    public static string RelativeAffordance(string affordance) => affordance;

    /// <summary>A stream's viewer relative to the Thing's URL.</summary>
    /// <param name="stream">The stream's wire name.</param>
    /// <returns>The relative reference.</returns>
    public static string RelativeStreamViewer(string stream) => stream + "/viewer";

    /// <summary>A stream's snapshot relative to the Thing's URL.</summary>
    /// <param name="stream">The stream's wire name.</param>
    /// <returns>The relative reference.</returns>
    public static string RelativeStreamSnapshot(string stream) => stream + "/snapshot";
}
