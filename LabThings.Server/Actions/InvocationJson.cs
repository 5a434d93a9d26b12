using System.Globalization;
using System.Text.Json.Nodes;
using LabThings.Description;
using LabThings.Model;

namespace LabThings.Server.Actions;

/// <summary>
/// The JSON form of an invocation, as labthings-fastapi's clients read it: <c>status</c>, <c>id</c>, <c>action</c>,
/// <c>href</c>, <c>timeRequested</c>, <c>timeStarted</c>, <c>timeCompleted</c>, <c>links</c>, <c>input</c>, <c>output</c>,
/// <c>log</c>, <c>error</c>; plus <c>progress</c> (fraction done, or null if the action reports none).
/// </summary>
internal static class InvocationJson
{
    public static JsonObject Render(Invocation invocation, Uri applicationBase)
    {
        var href = Absolute(applicationBase, ThingPaths.Invocation(invocation.Id));
        return new JsonObject
        {
            ["status"] = invocation.Status.ToString().ToLowerInvariant(),
            ["id"] = invocation.Id,
            ["action"] = ThingPaths.UnderThing(invocation.Thing.Name, ThingPaths.RelativeAffordance(invocation.Action.Name)),
            ["href"] = href,
            ["timeRequested"] = Time(invocation.TimeRequested),
            ["timeStarted"] = Time(invocation.TimeStarted),
            ["timeCompleted"] = Time(invocation.TimeCompleted),
            ["links"] = new JsonArray(
                new JsonObject { ["rel"] = "self", ["href"] = href },
                new JsonObject { ["rel"] = "output", ["href"] = Absolute(applicationBase, ThingPaths.InvocationOutput(invocation.Id)) }),
            ["input"] = invocation.Input.DeepClone(),
            ["output"] = Output(invocation, applicationBase),
            ["log"] = new JsonArray(invocation.Log.Snapshot().Select(r => (JsonNode)new JsonObject
            {
                ["message"] = r.Message,
                ["levelname"] = r.LevelName,
                ["levelno"] = r.LevelNo,
                ["created"] = Time(r.Created),
                ["exception_type"] = r.ExceptionType,
            }).ToArray()),
            ["error"] = invocation.Error is { } e
                ? new JsonObject { ["type"] = e.Type, ["title"] = e.Title, ["status"] = e.Status, ["detail"] = e.Detail }
                : null,
            ["progress"] = invocation.Progress,
        };
    }

    /// <summary>The output as JSON; a blob as <c>{"href": absolute URL, "media_type": …}</c>.</summary>
    public static JsonNode? Output(Invocation invocation, Uri applicationBase)
    {
        if (invocation.OutputBlobId is { } blobId && invocation.BlobMediaType is { } mediaType)
        {
            return new JsonObject
            {
                ["href"] = Absolute(applicationBase, ThingPaths.Blob(blobId)),
                ["media_type"] = mediaType,
            };
        }

        return invocation.Output?.DeepClone();
    }

    private static string Absolute(Uri applicationBase, string path) => new Uri(applicationBase, path.TrimStart('/')).AbsoluteUri;

    private static string? Time(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture);
}
