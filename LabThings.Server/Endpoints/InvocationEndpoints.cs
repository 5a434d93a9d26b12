using System.Text.Json;
using LabThings.Model;
using LabThings.Outputs;
using LabThings.Server.Actions;
using LabThings.Server.OpenApi;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace LabThings.Server.Endpoints;

/// <summary>The server-wide endpoints of invocations and blobs: list, get, output, cancel, download.</summary>
internal static class InvocationEndpoints
{
    private const string IdDescription = "The invocation's id (from the response that started it)";

    public static IEnumerable<ThingEndpoint> All(EndpointServices services)
    {
        var invocations = services.Invocations;
        yield return new(
            ThingEndpointKind.InvocationList,
            "GET",
            ThingPaths.Invocations,
            null,
            null,
            context => WriteListAsync(context, invocations.List()),
            api => Paged(new OperationBuilder(api, "List every invocation", "Every kept action invocation on the server, oldest first."))
                .Json(200, "The invocations", new OpenApiSchema { Type = JsonSchemaType.Array, Items = api.Invocation() }));

        yield return new(
            ThingEndpointKind.Invocation,
            "GET",
            ThingPaths.Invocation("{id}"),
            null,
            null,
            async context =>
            {
                if (await FindAsync(context, invocations).ConfigureAwait(false) is { } invocation)
                {
                    await WriteInvocationAsync(context, StatusCodes.Status200OK, invocation, setLocation: false).ConfigureAwait(false);
                }
            },
            api => new OperationBuilder(api, "Get an invocation", "Its status, input, output, log and error.")
                .PathParameter("id", IdDescription)
                .Json(200, "The invocation", api.Invocation())
                .Problem(404, "No such invocation (finished ones expire)"));

        yield return new(
            ThingEndpointKind.InvocationOutput,
            "GET",
            ThingPaths.InvocationOutput("{id}"),
            null,
            null,
            async context =>
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

                await WriteOutputAsync(context, invocation, services.Blobs).ConfigureAwait(false);
            },
            api => new OperationBuilder(api, "Get an invocation's output", "The output as JSON, or a blob's bytes with its media type.")
                .PathParameter("id", IdDescription)
                .Json(200, "The output", new OpenApiSchema())
                .Response(204, "Completed; the action has no output")
                .Problem(404, "No such invocation")
                .Problem(503, "The invocation has not completed"));

        yield return new(
            ThingEndpointKind.InvocationCancel,
            "DELETE",
            ThingPaths.Invocation("{id}"),
            null,
            null,
            async context =>
            {
                if (await FindAsync(context, invocations).ConfigureAwait(false) is not { } invocation)
                {
                    return;
                }

                var caller = Caller.Of(context);
                if (!caller.May(Operation.Cancel, invocation.Thing.Name, invocation.Action))
                {
                    await AccessGuard.RefuseAsync(context, services.Security, caller, AccessGuard.Describe(Operation.Cancel, invocation.Thing.Name, invocation.Action)).ConfigureAwait(false);
                    return;
                }

                if (!invocation.TryCancel())
                {
                    await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Invocation has finished", $"Invocation {invocation.Id} is {Status(invocation)} and cannot be cancelled.").ConfigureAwait(false);
                    return;
                }

                await WriteInvocationAsync(context, StatusCodes.Status200OK, invocation, setLocation: false).ConfigureAwait(false);
            },
            api => new OperationBuilder(api, "Cancel an invocation", "Requests cancellation; the invocation ends with status cancelled when the action stops.")
                .PathParameter("id", IdDescription)
                .Json(200, "The invocation", api.Invocation())
                .Problem(404, "No such invocation")
                .Problem(409, "The invocation has already finished"));

        yield return new(
            ThingEndpointKind.Blob,
            "GET",
            ThingPaths.Blob("{id}"),
            null,
            null,
            async context =>
            {
                var id = context.Request.RouteValues["id"] as string ?? "";
                if (services.Blobs.Find(id) is not { } blob)
                {
                    await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such blob", $"There is no blob '{id}'; blobs are kept only as long as the invocation that made them.").ConfigureAwait(false);
                    return;
                }

                await WriteBlobAsync(context, blob).ConfigureAwait(false);
            },
            api => new OperationBuilder(api, "Download a blob", "Data returned by an action, with its media type; kept as long as its invocation.")
                .PathParameter("id", "The blob's id (from its href)")
                .Response(200, "The bytes", "application/octet-stream", OperationBuilder.Binary())
                .Problem(404, "No such blob"));
    }

    /// <summary>Writes the invocation (the one wire type, <see cref="InvocationResource"/>); with <paramref name="setLocation"/>, its URL as <c>Location</c>.</summary>
    public static Task WriteInvocationAsync(HttpContext context, int status, Invocation invocation, bool setLocation)
    {
        var resource = InvocationResource.From(invocation, RequestUrls.ApplicationBase(context.Request));
        if (setLocation)
        {
            context.Response.Headers.Location = resource.Href;
        }

        return JsonResponses.WriteAsync(context, status, resource);
    }

    /// <summary>
    /// Writes a list of invocations, or the page of it that the query asks for: <c>?offset=</c> (default 0) and
    /// <c>?limit=</c> (default: all; the list is bounded anyway by the retention limits). When more follow, a
    /// <c>Link</c> header gives the next page (<c>rel="next"</c>). A bad offset or limit is 400.
    /// </summary>
    public static Task WriteListAsync(HttpContext context, IReadOnlyList<Invocation> invocations)
    {
        // Each caller sees only the invocations they may see: their own, or all with the all_invocations scope.
        var caller = Caller.Of(context);
        if (invocations.Any(i => !caller.MaySee(i)))
        {
            invocations = invocations.Where(caller.MaySee).ToList();
        }

        if (PageOf(context.Request.Query, invocations.Count, out var offset, out var limit) is { } problem)
        {
            return Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad page", problem);
        }

        if ((long)offset + limit < invocations.Count)
        {
            context.Response.Headers.Link = $"<{context.Request.PathBase}{context.Request.Path}?offset={offset + limit}&limit={limit}>; rel=\"next\"";
        }

        var applicationBase = RequestUrls.ApplicationBase(context.Request);
        return JsonResponses.WriteAsync(context, StatusCodes.Status200OK, invocations.Skip(offset).Take(limit).Select(i => InvocationResource.From(i, applicationBase)).ToList());
    }

    /// <summary>Adds the paging parameters and their 400 to a list's description.</summary>
    public static OperationBuilder Paged(OperationBuilder operation)
        => operation
            .QueryParameter("offset", "How many invocations to skip (default 0)")
            .QueryParameter("limit", "The most invocations to return (default: all); a Link header with rel=\"next\" gives the next page")
            .Problem(400, "offset or limit is not a whole number (limit at least 1, offset at least 0)");

    private static string? PageOf(IQueryCollection query, int count, out int offset, out int limit)
    {
        offset = 0;
        limit = Math.Max(count, 1);
        if (query.TryGetValue("offset", out var offsetText) && (!int.TryParse(offsetText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            return "'offset' must be a whole number, 0 or more.";
        }

        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            return "'limit' must be a whole number, 1 or more.";
        }

        return null;
    }

    /// <summary>The output of a completed invocation: a blob's bytes, 204 for an action with no output, else its JSON.</summary>
    public static async Task WriteOutputAsync(HttpContext context, Invocation invocation, BlobStore blobs)
    {
        if (invocation.OutputBlobId is { } blobId && blobs.Find(blobId) is { } blob)
        {
            await WriteBlobAsync(context, blob).ConfigureAwait(false);
            return;
        }

        if (invocation.Action.OutputType is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, invocation.Output).ConfigureAwait(false);
    }

    private static async Task WriteBlobAsync(HttpContext context, Blob blob)
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
        else if (!Caller.Of(context).MaySee(invocation))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Not your invocation", $"Invocation '{id}' was started by another caller; seeing or cancelling it needs the '{Caller.AllInvocationsScope}' permission.").ConfigureAwait(false);
            return null;
        }

        return invocation;
    }

    private static string Status(Invocation invocation) => JsonSerializer.Serialize(invocation.Status, LabThingsJson.Options).Trim('"');
}
