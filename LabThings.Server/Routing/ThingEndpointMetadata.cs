using LabThings.Model;

namespace LabThings.Server.Routing;

/// <summary>What a LabThings endpoint serves.</summary>
public enum ThingEndpointKind
{
    /// <summary><c>GET /things/</c>: the name and TD URL of every Thing.</summary>
    ThingList,

    /// <summary><c>GET /thing_descriptions/</c>: every Thing's TD.</summary>
    ThingDescriptions,

    /// <summary><c>GET /{thing}/</c>: one Thing's TD.</summary>
    ThingDescription,

    /// <summary><c>GET /{thing}/{property}</c>: read a property.</summary>
    PropertyRead,

    /// <summary><c>PUT /{thing}/{property}</c>: write a property.</summary>
    PropertyWrite,

    /// <summary><c>POST /{thing}/{property}/reset</c>: reset a property to its default.</summary>
    PropertyReset,

    /// <summary><c>POST /{thing}/{action}</c>: start an invocation (201 with the invocation).</summary>
    ActionInvoke,

    /// <summary><c>POST /{thing}/{action}/sync</c>: start an invocation and answer with its output.</summary>
    ActionInvokeAndWait,

    /// <summary><c>GET /{thing}/{action}</c>: the action's invocations.</summary>
    ActionInvocations,

    /// <summary><c>GET /action_invocations</c>: every invocation.</summary>
    InvocationList,

    /// <summary><c>GET /action_invocations/{id}</c>: one invocation.</summary>
    Invocation,

    /// <summary><c>GET /action_invocations/{id}/output</c>: an invocation's output.</summary>
    InvocationOutput,

    /// <summary><c>DELETE /action_invocations/{id}</c>: cancel an invocation.</summary>
    InvocationCancel,

    /// <summary><c>GET /blob/{id}</c>: a blob's bytes.</summary>
    Blob,

    /// <summary><c>/{thing}/ws</c>: observation over a WebSocket.</summary>
    WebSocket,

    /// <summary><c>GET /{thing}/{property}/sse</c>: a property's changes as Server-Sent Events.</summary>
    PropertyObserve,

    /// <summary><c>GET /{thing}/{action}/sse</c>: an action's invocations' status as Server-Sent Events.</summary>
    ActionObserve,

    /// <summary><c>GET /{thing}/{event}</c>: an event as Server-Sent Events.</summary>
    EventSubscribe,

    /// <summary><c>GET /{thing}/{stream}</c>: the MJPEG stream.</summary>
    Stream,

    /// <summary><c>GET /{thing}/{stream}/viewer</c>: an HTML page showing the stream.</summary>
    StreamViewer,

    /// <summary><c>GET /{thing}/{stream}/snapshot</c>: the newest frame.</summary>
    StreamSnapshot,
}

/// <summary>
/// Endpoint metadata on every endpoint <c>MapThings</c> creates: which Thing and affordance it serves and how.
/// The OpenAPI document is built from it, so endpoints and documentation cannot disagree.
/// </summary>
/// <param name="Kind">What the endpoint serves.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The route pattern, e.g. <c>/camera/stream</c>.</param>
/// <param name="ThingName">The Thing's name, or null for server-wide endpoints.</param>
/// <param name="Definition">The Thing type's definition, or null for server-wide endpoints.</param>
/// <param name="Affordance">The affordance, or null for Thing-level and server-wide endpoints.</param>
public sealed record ThingEndpointMetadata(
    ThingEndpointKind Kind,
    string Method,
    string Route,
    string? ThingName = null,
    ThingDefinition? Definition = null,
    AffordanceDefinition? Affordance = null);
