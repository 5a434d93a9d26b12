using LabThings.Model;
using LabThings.Server.Actions;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
using LabThings.Server.OpenApi;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace LabThings.Server.Endpoints;

/// <summary>An action's endpoints: start an invocation, run one and wait for its output, list its invocations, observe them.</summary>
internal static class ActionEndpoints
{
    public static IEnumerable<ThingEndpoint> For(HostedThing thing, ActionDefinition action, EndpointServices services)
    {
        yield return Invoke(thing, action, services);
        yield return InvokeAndWait(thing, action, services);
        yield return List(thing, action, services);
        yield return Observe(thing, action, services);
    }

    /// <summary><c>POST /{thing}/{action}</c>: 201 with the invocation; the action runs in the background.</summary>
    private static ThingEndpoint Invoke(HostedThing thing, ActionDefinition action, EndpointServices services) => new(
        ThingEndpointKind.ActionInvoke,
        "POST",
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(action.Name)),
        thing,
        action,
        async context =>
        {
            if (await StartAsync(context, thing, action, services).ConfigureAwait(false) is { } invocation)
            {
                await InvocationEndpoints.WriteInvocationAsync(context, StatusCodes.Status201Created, invocation, setLocation: true).ConfigureAwait(false);
            }
        },
        api => InputProblems(
            WithInput(
                new OperationBuilder(api, $"Start {action.Title}", About(action) + "Starts the action in the background and answers at once with the invocation: poll its href until its status is completed, cancelled or error."),
                api,
                thing,
                action)
                .Json(201, "The invocation, started", api.Invocation(OutputSchema(api, thing, action))),
            action,
            services.GlobalLock));

    /// <summary>
    /// <c>POST /{thing}/{action}/sync</c>: waits (at most <see cref="LabThingsOptions.SyncActionTimeout"/>) and answers with
    /// the output itself, as generic WoT clients expect from <c>invokeaction</c>; 202 with the invocation if it takes longer.
    /// </summary>
    private static ThingEndpoint InvokeAndWait(HostedThing thing, ActionDefinition action, EndpointServices services) => new(
        ThingEndpointKind.ActionInvokeAndWait,
        "POST",
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeInvokeAndWait(action.Name)),
        thing,
        action,
        async context =>
        {
            if (await StartAsync(context, thing, action, services).ConfigureAwait(false) is not { } invocation)
            {
                return;
            }

            try
            {
                await invocation.Completion.WaitAsync(services.Options.SyncActionTimeout, context.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await InvocationEndpoints.WriteInvocationAsync(context, StatusCodes.Status202Accepted, invocation, setLocation: true).ConfigureAwait(false);
                return;
            }

            await WriteOutcomeAsync(context, invocation, services.Blobs).ConfigureAwait(false);
        },
        api =>
        {
            var output = OutputSchema(api, thing, action);
            var operation = WithInput(
                    new OperationBuilder(api, $"Run {action.Title} and wait for its output", About(action) + "Runs the action and answers with its output when it finishes. If it takes longer than the server's limit (30 s by default), answers 202 with the invocation to poll instead."),
                    api,
                    thing,
                    action)
                .Json(202, "Still running: the invocation", api.Invocation(output));
            operation = action.OutputIsBlob
                ? operation.Response(200, "The output's bytes, with its media type", action.OutputMediaType ?? "application/octet-stream", OperationBuilder.Binary())
                : output is not null
                    ? operation.Json(200, "The output", output)
                    : operation.Response(204, "Finished; the action has no output");
            return InputProblems(operation, action, services.GlobalLock)
                .Problem(409, action.RefuseWhenLocked || services.GlobalLock.Mode == GlobalLockMode.Refuse ? "Cancelled before it finished, or the action (or the server) is busy" : "Cancelled before it finished")
                .Problem(500, "The action failed");
        });

    /// <summary><c>GET /{thing}/{action}</c>: the action's invocations, oldest first.</summary>
    private static ThingEndpoint List(HostedThing thing, ActionDefinition action, EndpointServices services) => new(
        ThingEndpointKind.ActionInvocations,
        "GET",
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(action.Name)),
        thing,
        action,
        context => InvocationEndpoints.WriteListAsync(context, services.Invocations.List(thing, action)),
        api => InvocationEndpoints.Paged(new OperationBuilder(api, $"List invocations of {action.Title}", $"Every kept invocation of '{action.Name}', oldest first."))
            .Json(200, "The invocations", new OpenApiSchema { Type = JsonSchemaType.Array, Items = api.Invocation(OutputSchema(api, thing, action)) }));

    private static ThingEndpoint Observe(HostedThing thing, ActionDefinition action, EndpointServices services) => SseEndpoint.Create(
        ThingEndpointKind.ActionObserve,
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeSse(action.Name)),
        thing,
        action,
        ObservationKind.Action,
        services,
        $"Observe invocations of {action.Title}",
        $"Each status change of an invocation of '{action.Name}' (pending, running, completed, cancelled, error) as a Server-Sent Events record: {{\"action name\", \"status\", \"id\", \"href\", and \"output\" or \"error\" at the end}}.");

    private static async Task<Invocation?> StartAsync(HttpContext context, HostedThing thing, ActionDefinition action, EndpointServices services)
    {
        var json = await JsonBodies.ReadAsync(context, allowEmpty: true).ConfigureAwait(false);
        if (json is null)
        {
            return null;
        }

        try
        {
            var (input, values) = ActionInvoker.BindInput(action, json, services.Blobs.FromHref);
            return services.Invocations.Start(thing, action, input, values, Caller.Of(context).Owner);
        }
        catch (PropertyValidationException ex)
        {
            await Problems.WriteValidationAsync(context, $"Invalid input for action '{action.Name}' of '{thing.Name}': " + string.Join("; ", ex.Problems.Select(p => p.Message)), ex.Problems).ConfigureAwait(false);
        }
        catch (ActionLockedException ex)
        {
            await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Action is busy", ex.Message).ConfigureAwait(false);
        }
        catch (TooManyInvocationsException ex)
        {
            context.Response.Headers.RetryAfter = "1";
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many unfinished invocations", ex.Message).ConfigureAwait(false);
        }

        return null;
    }

    private static Task WriteOutcomeAsync(HttpContext context, Invocation invocation, BlobStore blobs) => invocation.Status switch
    {
        InvocationStatus.Completed => InvocationEndpoints.WriteOutputAsync(context, invocation, blobs),
        InvocationStatus.Cancelled => Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Invocation cancelled", $"Invocation {invocation.Id} was cancelled before it finished."),
        _ => Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, invocation.Error?.Title ?? "Action failed", invocation.Error?.Detail ?? "The action failed."),
    };

    private static OperationBuilder WithInput(OperationBuilder operation, OpenApiContext api, HostedThing thing, ActionDefinition action)
        => operation.Body(api.Model(OpenApiContext.Id(thing.Definition, action, "input"), action.GetInputSchema()), action.InputRequired);

    private static OperationBuilder InputProblems(OperationBuilder operation, ActionDefinition action, GlobalLock globalLock)
    {
        operation.BodyProblems()
            .Problem(422, "The input breaks the schema; the body's errors list each field and rule")
            .Problem(429, "The action, or the server, has as many unfinished invocations as allowed; try again after Retry-After seconds");
        if (globalLock.Applies(action) && globalLock.Mode == GlobalLockMode.Refuse)
        {
            return operation.Problem(409, "The server-wide lock is held by a running action or a write; the detail says by what");
        }

        return action.RefuseWhenLocked ? operation.Problem(409, "The action's lock is held by another invocation") : operation;
    }

    /// <summary>The output's schema as a component, or null if the action returns nothing. Every blob output has one JSON form, <c>BlobLink</c>.</summary>
    private static IOpenApiSchema? OutputSchema(OpenApiContext api, HostedThing thing, ActionDefinition action)
        => action.GetOutputSchema() is not { } schema ? null
            : api.Model(action.OutputIsBlob ? "BlobLink" : OpenApiContext.Id(thing.Definition, action, "output"), schema);

    private static string About(ActionDefinition action) => action.Description is { } d ? d + ". " : "";
}
