using LabThings.Server.Endpoints;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Security;

/// <summary>
/// Checks who sent a request and whether they may use the endpoint, before its handler runs: 401 with a
/// challenge for missing or invalid credentials, 403 for a caller who lacks the permission. The caller is then
/// set on the request (<see cref="Caller.Of"/>) for the handlers that look further (invocation ownership).
/// </summary>
internal static class AccessGuard
{
    public static RequestDelegate Wrap(ThingEndpoint endpoint, RequestDelegate handler, SecurityPolicy policy)
    {
        var operation = SecurityPolicy.OperationOf(endpoint.Kind);
        if (!policy.Enabled || operation == Operation.Describe)
        {
            return handler;
        }

        // Server-wide invocation routes learn the Thing only from the invocation: their handlers check the rest.
        if (endpoint.Thing is null)
        {
            operation = Operation.Invocations;
        }

        var thing = endpoint.Thing?.Name;
        var affordance = endpoint.Affordance;
        var queryToken = AcceptsQueryToken(endpoint.Kind);
        var requiredScopes = affordance?.RequiredScopes ?? [];
        var permission = Describe(operation, thing, affordance);
        return async context =>
        {
            if (await AuthorizeAsync(context, policy, operation, thing, requiredScopes, permission, queryToken).ConfigureAwait(false))
            {
                await handler(context).ConfigureAwait(false);
            }
        };
    }

    /// <summary>
    /// The checks of <see cref="Wrap"/> for an endpoint that is not in the catalogue (a Thing's
    /// <see cref="HttpEndpointAttribute"/> methods): true when the request may go on, otherwise the refusal is written.
    /// </summary>
    public static Task<bool> CheckAsync(HttpContext context, SecurityPolicy policy, Operation operation, string thing, IReadOnlyList<string> requiredScopes)
    {
        if (!policy.Enabled)
        {
            return Task.FromResult(true);
        }

        return AuthorizeAsync(context, policy, operation, thing, requiredScopes, Describe(operation, thing, requiredScopes), queryToken: false);
    }

    /// <summary>Identifies the caller and checks the permission: true (with the caller set on the request) or the refusal written.</summary>
    private static async Task<bool> AuthorizeAsync(HttpContext context, SecurityPolicy policy, Operation operation, string? thing, IReadOnlyList<string> requiredScopes, string permission, bool queryToken)
    {
        var (caller, failure) = await policy.IdentifyAsync(context, queryToken).ConfigureAwait(false);
        if (caller is null)
        {
            await policy.ChallengeAsync(context, "Invalid credentials", failure!, invalidToken: true).ConfigureAwait(false);
            return false;
        }

        if (!caller.May(operation, thing, requiredScopes))
        {
            await RefuseAsync(context, policy, caller, permission).ConfigureAwait(false);
            return false;
        }

        context.Features.Set(caller);
        return true;
    }

    /// <summary>401 with a challenge when the caller sent no credentials (and could), otherwise 403.</summary>
    public static Task RefuseAsync(HttpContext context, SecurityPolicy policy, Caller caller, string permission)
    {
        if (!caller.IsAuthenticated && policy.HasSchemes)
        {
            return policy.ChallengeAsync(context, "Credentials required", $"This needs {permission}; send credentials (see the Thing Description's securityDefinitions).");
        }

        var who = caller.IsAuthenticated ? "Your credentials do" : "Clients without credentials do";
        return Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Not permitted", $"{who} not grant {permission}.");
    }

    /// <summary>The permission an operation needs, for people: e.g. <c>the 'write' permission on 'light' and the scope 'light:admin'</c>.</summary>
    public static string Describe(Operation operation, string? thing, LabThings.Model.AffordanceDefinition? affordance)
        => Describe(operation, thing, affordance?.RequiredScopes ?? []);

    private static string Describe(Operation operation, string? thing, IReadOnlyList<string> requiredScopes)
    {
        var text = operation == Operation.Invocations
            ? "access to invocations"
            : $"the '{Caller.Scope(operation)}' permission" + (thing is null ? "" : $" on '{thing}'");
        return requiredScopes.Count > 0
            ? text + " and the scope" + (requiredScopes.Count > 1 ? "s " : " ") + string.Join(", ", requiredScopes.Select(s => $"'{s}'"))
            : text;
    }

    /// <summary>Endpoints a browser opens without being able to set a header: WebSockets, event streams, MJPEG streams.</summary>
    private static bool AcceptsQueryToken(ThingEndpointKind kind) => kind is ThingEndpointKind.WebSocket
        or ThingEndpointKind.PropertyObserve or ThingEndpointKind.ActionObserve or ThingEndpointKind.EventSubscribe
        or ThingEndpointKind.Stream or ThingEndpointKind.StreamSnapshot or ThingEndpointKind.StreamViewer;
}
