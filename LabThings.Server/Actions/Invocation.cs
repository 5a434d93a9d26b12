using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Server.Hosting;

namespace LabThings.Server.Actions;

/// <summary>One run of an action: its input, state, output, log and error. Thread-safe.</summary>
internal sealed class Invocation : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _cancellation;
    private InvocationStatus _status = InvocationStatus.Pending;
    private double? _progress;

    public Invocation(HostedThing thing, ActionDefinition action, JsonObject input, InvocationLog log, DateTimeOffset requested, CancellationToken serverStopping)
    {
        Id = Guid.NewGuid().ToString("D");
        Thing = thing;
        Action = action;
        Input = input;
        Log = log;
        TimeRequested = requested;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
    }

    public string Id { get; }

    /// <summary>Who started it (<c>basic:{user}</c>, <c>bearer:{subject}</c> or <c>anonymous</c>): only they, and callers allowed to see all invocations, may read or cancel it.</summary>
    public string Owner { get; init; } = Security.Caller.AnonymousOwner;

    public HostedThing Thing { get; }

    public ActionDefinition Action { get; }

    public JsonObject Input { get; }

    public InvocationLog Log { get; }

    public DateTimeOffset TimeRequested { get; }

    public DateTimeOffset? TimeStarted { get; private set; }

    public DateTimeOffset? TimeCompleted { get; private set; }

    /// <summary>The output as JSON (a blob's output is its <c>{href, media_type}</c> form, rendered per request).</summary>
    public JsonNode? Output { get; private set; }

    /// <summary>The blob the action returned, if it returned one.</summary>
    public string? OutputBlobId { get; private set; }

    /// <summary>The media type of the returned blob, if any.</summary>
    public string? BlobMediaType { get; private set; }

    public InvocationError? Error { get; private set; }

    public CancellationToken CancellationToken => _cancellation.Token;

    public Task Completion { get; set; } = Task.CompletedTask;

    public InvocationStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    public double? Progress
    {
        get
        {
            lock (_gate)
            {
                return _progress;
            }
        }
    }

    public bool IsFinished => Status is InvocationStatus.Completed or InvocationStatus.Cancelled or InvocationStatus.Error;

    public void ReportProgress(double fraction)
    {
        var clamped = double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1);
        lock (_gate)
        {
            _progress = clamped;
        }
    }

    public void MarkRunning(DateTimeOffset now)
    {
        lock (_gate)
        {
            _status = InvocationStatus.Running;
            TimeStarted = now;
        }
    }

    public void Complete(DateTimeOffset now, JsonNode? output, string? blobId = null, string? blobMediaType = null)
    {
        lock (_gate)
        {
            Output = output;
            OutputBlobId = blobId;
            BlobMediaType = blobMediaType;
            _status = InvocationStatus.Completed;
            TimeCompleted = now;
            if (_progress is not null)
            {
                _progress = 1;
            }
        }
    }

    public void End(DateTimeOffset now, InvocationStatus status, InvocationError? error)
    {
        lock (_gate)
        {
            _status = status;
            Error = error;
            TimeCompleted = now;
        }
    }

    /// <summary>Requests cancellation; false if the invocation has already finished.</summary>
    public bool TryCancel()
    {
        lock (_gate)
        {
            if (_status is not (InvocationStatus.Pending or InvocationStatus.Running))
            {
                return false;
            }
        }

        _cancellation.Cancel();
        return true;
    }

    /// <summary>
    /// The output as JSON, or null until completed: a copy of the action's value, or for a blob
    /// <c>{"href", "media_type"}</c> with the href made by <paramref name="url"/> from the blob's path.
    /// </summary>
    public JsonNode? OutputJson(Func<string, string> url)
    {
        lock (_gate)
        {
            if (OutputBlobId is { } blobId && BlobMediaType is { } mediaType)
            {
                return new JsonObject { ["href"] = url(ThingPaths.Blob(blobId)), ["media_type"] = mediaType };
            }

            return Output?.DeepClone();
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
