using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Outputs;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Actions;

/// <summary>
/// Starts action invocations in the background, keeps them for their action's retention time (and at most
/// <see cref="LabThingsOptions.MaxInvocations"/> finished ones), cancels them, and holds action locks.
/// </summary>
internal sealed partial class InvocationManager : IDisposable
{
    private readonly ConcurrentDictionary<string, Invocation> _invocations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Finished invocations in the order they finished, to forget the oldest in O(1) when over the maximum.</summary>
    private readonly ConcurrentQueue<Invocation> _finished = new();
    private readonly BlobStore _blobs;
    private readonly ObservationHub _observers;
    private readonly TimeProvider _time;
    private readonly IServiceProvider _services;
    private readonly LabThingsOptions _options;
    private readonly ILogger<InvocationManager> _logger;
    private readonly CancellationToken _stopping;
    private readonly ITimer _sweeper;
    private readonly UnfinishedInvocations _unfinished;
    private readonly GlobalLock _global;

    public InvocationManager(BlobStore blobs, ObservationHub observers, TimeProvider time, IHostApplicationLifetime lifetime, IServiceProvider services, IOptions<LabThingsOptions> options, ILogger<InvocationManager> logger, GlobalLock globalLock)
    {
        _blobs = blobs;
        _observers = observers;
        _time = time;
        _services = services;
        _options = options.Value;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
        _sweeper = time.CreateTimer(_ => Expire(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        _unfinished = new UnfinishedInvocations(_options.MaxPendingInvocations, _options.MaxPendingInvocationsPerAction);
        _global = globalLock;
    }

    public int Count => _invocations.Count;

    /// <summary>Starts an invocation with <paramref name="inputs"/> (the input parameters' values, in method order), owned by <paramref name="owner"/>.</summary>
    /// <exception cref="ActionLockedException">The action refuses to queue and its lock is held.</exception>
    /// <exception cref="TooManyInvocationsException">The action or the server has as many unfinished invocations as allowed.</exception>
    public Invocation Start(HostedThing thing, ActionDefinition action, JsonObject input, IReadOnlyDictionary<string, object?> inputs, string owner = Security.Caller.AnonymousOwner)
    {
        ForgetOldestBeyondMaximum();
        SemaphoreSlim? gate = null;
        var lockName = action.Lock?.Replace(ActionLocks.PerThing, "thing:" + thing.Name, StringComparison.Ordinal);
        var held = false;
        if (lockName is not null)
        {
            gate = _locks.GetOrAdd(lockName, static _ => new SemaphoreSlim(1, 1));
            if (action.RefuseWhenLocked)
            {
                held = gate.Wait(0);
                if (!held)
                {
                    throw new ActionLockedException(lockName);
                }
            }
        }

        // The server-wide lock, when on: refused at once, or waited for once the invocation is queued.
        var global = _global.Applies(action);
        var globalHeld = false;
        if (global && _global.Mode == GlobalLockMode.Refuse)
        {
            globalHeld = _global.TryEnter($"action '{action.Name}' of '{thing.Name}'");
            if (!globalHeld)
            {
                if (held)
                {
                    gate!.Release();
                }

                throw ActionLockedException.Global(_global.Busy);
            }
        }

        try
        {
            _unfinished.Reserve(thing, action);
        }
        catch (TooManyInvocationsException)
        {
            if (held)
            {
                gate!.Release();
            }

            if (globalHeld)
            {
                _global.Exit();
            }

            throw;
        }

        var log = new InvocationLog(thing.Logger, _time);
        var invocation = new Invocation(thing, action, input, log, _time.GetUtcNow(), _stopping) { Owner = owner };
        _invocations[invocation.Id] = invocation;
        var context = new ActionContext(invocation.Id, invocation.Log, new InvocationProgress(invocation), _services, invocation.CancellationToken);
        PublishStatus(invocation);
        invocation.Completion = Task.Run(() => RunAsync(invocation, inputs, context, gate, held, global, globalHeld), CancellationToken.None);
        return invocation;
    }

    public Invocation? Find(string id)
    {
        if (_invocations.GetValueOrDefault(id) is not { } invocation)
        {
            return null;
        }

        if (invocation.IsFinished && invocation.TimeCompleted + invocation.Action.Retention <= _time.GetUtcNow())
        {
            Forget(invocation);
            return null;
        }

        return invocation;
    }

    /// <summary>Invocations, oldest first, optionally only those of one action of one Thing.</summary>
    public IReadOnlyList<Invocation> List(HostedThing? thing = null, ActionDefinition? action = null)
    {
        Expire();
        return _invocations.Values
            .Where(i => (thing is null || i.Thing == thing) && (action is null || i.Action == action))
            .OrderBy(i => i.TimeRequested)
            .ToList();
    }

    /// <summary>
    /// Forgets finished invocations past their retention time (one pass, no sorting), then the oldest finished
    /// ones beyond the maximum. Runs on listing and every 30 s; <see cref="Find"/> checks one invocation's own expiry.
    /// </summary>
    public void Expire()
    {
        var now = _time.GetUtcNow();
        foreach (var invocation in _invocations.Values)
        {
            if (invocation.TimeCompleted is { } completed && invocation.IsFinished && completed + invocation.Action.Retention <= now)
            {
                Forget(invocation);
            }
        }

        // Drop queue entries already forgotten above, so the queue does not grow on a server that never reaches the maximum.
        while (_finished.TryPeek(out var head) && !_invocations.ContainsKey(head.Id))
        {
            _finished.TryDequeue(out _);
        }

        ForgetOldestBeyondMaximum();
    }

    /// <summary>While more than the maximum are kept, forgets the invocation that finished first. Amortized O(1).</summary>
    private void ForgetOldestBeyondMaximum()
    {
        while (_invocations.Count >= _options.MaxInvocations && _finished.TryDequeue(out var oldest))
        {
            Forget(oldest);
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var invocation in _invocations.Values)
        {
            invocation.Dispose();
        }
    }

    private void Forget(Invocation invocation)
    {
        if (_invocations.TryRemove(invocation.Id, out _))
        {
            if (invocation.OutputBlobId is { } blob)
            {
                _blobs.Remove(blob);
            }

            invocation.Dispose();
        }
    }

    private async Task RunAsync(Invocation invocation, IReadOnlyDictionary<string, object?> inputs, ActionContext context, SemaphoreSlim? gate, bool held, bool global, bool globalHeld)
    {
        var action = invocation.Action;
        var thingName = invocation.Thing.Name;
        try
        {
            if (gate is not null && !held)
            {
                await gate.WaitAsync(invocation.CancellationToken).ConfigureAwait(false);
                held = true;
            }

            if (global && !globalHeld)
            {
                // Pending until the server-wide lock is free (GlobalLockMode.Wait).
                globalHeld = await _global.EnterAsync($"action '{action.Name}' of '{thingName}'", Timeout.InfiniteTimeSpan, invocation.CancellationToken).ConfigureAwait(false);
            }

            invocation.CancellationToken.ThrowIfCancellationRequested();
            invocation.MarkRunning(_time.GetUtcNow());
            PublishStatus(invocation);
            var result = await ActionInvoker.InvokeAsync(invocation.Thing.Thing, action, inputs, context).ConfigureAwait(false);
            if (result is Blob blob)
            {
                invocation.Complete(_time.GetUtcNow(), null, _blobs.Add(blob), blob.MediaType);
            }
            else
            {
                var output = action.OutputType is { } type ? JsonSerializer.SerializeToNode(result, type, LabThingsJson.Options) : null;
                invocation.Complete(_time.GetUtcNow(), output);
            }
        }
        catch (OperationCanceledException) when (invocation.CancellationToken.IsCancellationRequested)
        {
            invocation.Log.Add(LogLevel.Information, "The invocation was cancelled.");
            invocation.End(_time.GetUtcNow(), InvocationStatus.Cancelled, null);
        }
        catch (ActionFailedException ex)
        {
            // An expected failure: the message is the whole story, no stack trace.
            invocation.Log.Add(LogLevel.Error, ex.Message, nameof(ActionFailedException));
            Log.ActionFailed(_logger, thingName, action.Name, invocation.Id, ex.Message);
            invocation.End(_time.GetUtcNow(), InvocationStatus.Error, new InvocationError("about:blank", "Action failed", 500, ex.Message));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Unexpected: the client gets the message; the stack trace goes only to the server's log.
            invocation.Log.Add(LogLevel.Error, ex.Message, ex.GetType().Name);
            Log.ActionCrashed(_logger, ex, thingName, action.Name, invocation.Id);
            invocation.End(_time.GetUtcNow(), InvocationStatus.Error, new InvocationError("about:blank", "Action raised an exception", 500, $"{ex.GetType().Name}: {ex.Message}"));
        }
        finally
        {
            if (held)
            {
                gate!.Release();
            }

            if (globalHeld)
            {
                _global.Exit();
            }

            _unfinished.Release(invocation.Thing, action);
            _finished.Enqueue(invocation);
            PublishStatus(invocation);
        }
    }

    /// <summary>
    /// Tells action observers the invocation's status, as labthings-fastapi's <c>actionStatus</c> data
    /// (<c>"action name"</c>, <c>status</c>) plus its id, href (a path), and output or error once finished.
    /// </summary>
    private void PublishStatus(Invocation invocation)
    {
        var key = new ObservationKey(invocation.Thing.Name, ObservationKind.Action, invocation.Action.Name);
        if (!_observers.HasSubscribers(key))
        {
            return;
        }

        var status = new JsonObject
        {
            ["action name"] = invocation.Action.Name,
            ["status"] = JsonSerializer.SerializeToNode(invocation.Status, LabThingsJson.Options),
            ["id"] = invocation.Id,
            ["href"] = ThingPaths.Invocation(invocation.Id),
        };
        if (invocation.Status == InvocationStatus.Completed)
        {
            status["output"] = invocation.OutputJson(path => path);
        }
        else if (invocation.Error is { } error)
        {
            status["error"] = JsonSerializer.SerializeToNode(error, LabThingsJson.Options);
        }

        _observers.Publish(new Notification(key, status.ToJsonString(LabThingsJson.Options)));
    }

    private sealed class InvocationProgress(Invocation invocation) : IProgress<double>
    {
        public void Report(double value) => invocation.ReportProgress(value);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Action {ThingName}.{ActionName} (invocation {InvocationId}) failed: {Reason}", EventName = "ActionFailed")]
        public static partial void ActionFailed(ILogger logger, string thingName, string actionName, string invocationId, string reason);

        [LoggerMessage(2, LogLevel.Error, "Action {ThingName}.{ActionName} (invocation {InvocationId}) raised an exception", EventName = "ActionCrashed")]
        public static partial void ActionCrashed(ILogger logger, Exception exception, string thingName, string actionName, string invocationId);
    }
}
