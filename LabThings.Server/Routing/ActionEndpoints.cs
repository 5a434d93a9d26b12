using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Server.Actions;
using LabThings.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Routing;

/// <summary>Starts action invocations and serves invocations, their outputs and blobs.</summary>
internal static class ActionEndpoints
{
    /// <summary><c>POST /{thing}/{action}</c>: 201 with the invocation; the action runs in the background.</summary>
    public static RequestDelegate Invoke(HostedThing thing, ActionDefinition action, InvocationManager invocations, BlobStore blobs) => async context =>
    {
        var invocation = await StartAsync(context, thing, action, invocations, blobs).ConfigureAwait(false);
        if (invocation is null)
        {
            return;
        }

        var body = InvocationJson.Render(invocation, RequestUrls.ApplicationBase(context.Request));
        context.Response.Headers.Location = body["href"]!.GetValue<string>();
        await WriteJsonAsync(context, StatusCodes.Status201Created, body).ConfigureAwait(false);
    };

    /// <summary>
    /// <c>POST /{thing}/{action}/sync</c>: waits (at most <see cref="LabThingsOptions.SyncActionTimeout"/>) and answers with
    /// the output itself, as generic WoT clients expect from <c>invokeaction</c>; 202 with the invocation if it takes longer.
    /// </summary>
    public static RequestDelegate InvokeAndWait(HostedThing thing, ActionDefinition action, InvocationManager invocations, BlobStore blobs, LabThingsOptions options) => async context =>
    {
        var invocation = await StartAsync(context, thing, action, invocations, blobs).ConfigureAwait(false);
        if (invocation is null)
        {
            return;
        }

        try
        {
            await invocation.Completion.WaitAsync(options.SyncActionTimeout, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var pending = InvocationJson.Render(invocation, RequestUrls.ApplicationBase(context.Request));
            context.Response.Headers.Location = pending["href"]!.GetValue<string>();
            await WriteJsonAsync(context, StatusCodes.Status202Accepted, pending).ConfigureAwait(false);
            return;
        }

        await WriteOutcomeAsync(context, invocation, blobs).ConfigureAwait(false);
    };

    /// <summary><c>GET /{thing}/{action}</c> and <c>GET /action_invocations</c>: invocations, oldest first.</summary>
    public static RequestDelegate List(InvocationManager invocations, HostedThing? thing = null, ActionDefinition? action = null) => context =>
    {
        var applicationBase = RequestUrls.ApplicationBase(context.Request);
        var list = new JsonArray(invocations.List(thing, action).Select(i => (JsonNode)InvocationJson.Render(i, applicationBase)).ToArray());
        return WriteJsonAsync(context, StatusCodes.Status200OK, list);
    };

    /// <summary><c>GET /action_invocations/{id}</c>.</summary>
    public static RequestDelegate Get(InvocationManager invocations) => async context =>
    {
        if (await FindAsync(context, invocations).ConfigureAwait(false) is { } invocation)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, InvocationJson.Render(invocation, RequestUrls.ApplicationBase(context.Request))).ConfigureAwait(false);
        }
    };

    /// <summary><c>GET /action_invocations/{id}/output</c>: the output (a blob's bytes); 503 until the invocation has completed.</summary>
    public static RequestDelegate Output(InvocationManager invocations, BlobStore blobs) => async context =>
    {
        if (await FindAsync(context, invocations).ConfigureAwait(false) is not { } invocation)
        {
            return;
        }

        if (invocation.Status != InvocationStatus.Completed)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "No output", $"Invocation {invocation.Id} is {Status(invocation)}: only a completed invocation has an output.").ConfigureAwait(false);
            return;
        }

        await WriteOutputAsync(context, invocation, blobs).ConfigureAwait(false);
    };

    /// <summary><c>DELETE /action_invocations/{id}</c>: requests cancellation; 409 if it has already finished.</summary>
    public static RequestDelegate Cancel(InvocationManager invocations) => async context =>
    {
        if (await FindAsync(context, invocations).ConfigureAwait(false) is not { } invocation)
        {
            return;
        }

        if (!invocation.TryCancel())
        {
            await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Invocation has finished", $"Invocation {invocation.Id} is {Status(invocation)} and cannot be cancelled.").ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, InvocationJson.Render(invocation, RequestUrls.ApplicationBase(context.Request))).ConfigureAwait(false);
    };

    /// <summary><c>GET /blob/{id}</c>: the bytes, with the blob's media type.</summary>
    public static RequestDelegate Blob(BlobStore blobs) => async context =>
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        if (blobs.Find(id) is not { } blob)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such blob", $"There is no blob '{id}'; blobs are kept only as long as the invocation that made them.").ConfigureAwait(false);
            return;
        }

        await WriteBlobAsync(context, blob).ConfigureAwait(false);
    };

    private static async Task<Invocation?> StartAsync(HttpContext context, HostedThing thing, ActionDefinition action, InvocationManager invocations, BlobStore blobs)
    {
        var json = await JsonBodies.ReadAsync(context, allowEmpty: true).ConfigureAwait(false);
        if (json is null)
        {
            return null;
        }

        try
        {
            var (input, values) = ActionInvoker.BindInput(action, json, blobs.FromHref);
            return invocations.Start(thing, action, input, values);
        }
        catch (PropertyValidationException ex)
        {
            await Problems.WriteValidationAsync(context, $"Invalid input for action '{action.Name}' of '{thing.Name}': " + string.Join("; ", ex.Problems.Select(p => p.Message)), ex.Problems).ConfigureAwait(false);
        }
        catch (ActionLockedException ex)
        {
            await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Action is busy", ex.Message).ConfigureAwait(false);
        }

        return null;
    }

    private static async Task WriteOutcomeAsync(HttpContext context, Invocation invocation, BlobStore blobs)
    {
        switch (invocation.Status)
        {
            case InvocationStatus.Completed:
                await WriteOutputAsync(context, invocation, blobs).ConfigureAwait(false);
                break;
            case InvocationStatus.Cancelled:
                await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Invocation cancelled", $"Invocation {invocation.Id} was cancelled before it finished.").ConfigureAwait(false);
                break;
            default:
                var error = invocation.Error;
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, error?.Title ?? "Action failed", error?.Detail ?? "The action failed.").ConfigureAwait(false);
                break;
        }
    }

    private static async Task WriteOutputAsync(HttpContext context, Invocation invocation, BlobStore blobs)
    {
        if (invocation.OutputBlobId is { } blobId)
        {
            if (blobs.Find(blobId) is { } blob)
            {
                await WriteBlobAsync(context, blob).ConfigureAwait(false);
                return;
            }
        }

        if (invocation.Action.OutputType is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, invocation.Output).ConfigureAwait(false);
    }

    private static async Task WriteBlobAsync(HttpContext context, Outputs.Blob blob)
    {
        context.Response.ContentType = blob.MediaType;
        context.Response.ContentLength = blob.Length;
        var data = blob.OpenRead();
        await using (data.ConfigureAwait(false))
        {
            await data.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task<Invocation?> FindAsync(HttpContext context, InvocationManager invocations)
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        var invocation = invocations.Find(id);
        if (invocation is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such invocation", $"There is no invocation '{id}'; finished invocations are kept only for their action's retention time.").ConfigureAwait(false);
        }

        return invocation;
    }

    private static string Status(Invocation invocation) => invocation.Status.ToString().ToLowerInvariant();

    private static Task WriteJsonAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body?.ToJsonString(LabThingsJson.Options) ?? "null", context.RequestAborted);
    }
}
