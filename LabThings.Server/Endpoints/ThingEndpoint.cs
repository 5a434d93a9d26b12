using LabThings.Model;
using LabThings.Server.Hosting;
using LabThings.Server.OpenApi;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace LabThings.Server.Endpoints;

/// <summary>What a LabThings endpoint serves.</summary>
internal enum ThingEndpointKind
{
    ThingList,
    ThingDescriptions,
    ThingDescription,
    PropertyRead,
    PropertyWrite,
    PropertyReset,
    PropertiesRead,
    PropertiesWrite,
    ActionInvoke,
    ActionInvokeAndWait,
    ActionInvocations,
    InvocationList,
    Invocation,
    InvocationOutput,
    InvocationCancel,
    Blob,
    WebSocket,
    PropertyObserve,
    LongPoll,
    ActionObserve,
    EventSubscribe,
    Stream,
    StreamViewer,
    StreamSnapshot,
}

/// <summary>
/// One LabThings endpoint as the catalogue builds it: its route, its handler and its OpenAPI description, made side by
/// side in one method so that they cannot drift apart. Each endpoint carries it as metadata; the OpenAPI document
/// filter reads it back.
/// </summary>
/// <param name="Kind">What the endpoint serves.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The route, e.g. <c>/camera/stream</c>.</param>
/// <param name="Thing">The Thing, or null for a server-wide endpoint.</param>
/// <param name="Affordance">The affordance, or null.</param>
/// <param name="Handler">Serves the requests.</param>
/// <param name="Describe">Describes the operation, listing every status the handler writes.</param>
internal sealed record ThingEndpoint(
    ThingEndpointKind Kind,
    string Method,
    string Route,
    HostedThing? Thing,
    AffordanceDefinition? Affordance,
    RequestDelegate Handler,
    Func<OpenApiContext, OperationBuilder> Describe)
{
    /// <summary>The OpenAPI operation id: <c>{thing}_{affordance}_{kind}</c>, leaving out what the endpoint does not have.</summary>
    public string OperationId => string.Join('_', new[] { Thing?.Name, Affordance?.Name, Kind.ToString() }.OfType<string>());

    /// <summary>The OpenAPI operation, described for <paramref name="api"/>'s document.</summary>
    public OpenApiOperation ToOperation(OpenApiContext api, SecurityPolicy security)
    {
        var builder = Describe(api);
        var guarded = security.Enabled && SecurityPolicy.OperationOf(Kind) != Operation.Describe;
        if (guarded && security.HasSchemes)
        {
            builder.Problem(401, "No credentials, or wrong ones (the WWW-Authenticate header names the schemes accepted)");
        }

        if (CrossSiteGuard.ChangesState(this) || guarded)
        {
            builder.Problem(403, guarded
                ? "Not permitted: the caller lacks the permission this needs, or it was sent from a web page of another origin"
                : "Sent from a web page of another origin (not the server's own, nor in AllowedOrigins)");
        }

        var operation = builder.Build();
        operation.OperationId = OperationId;
        return operation;
    }
}
