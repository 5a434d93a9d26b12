using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Outputs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Testing;

/// <summary>
/// A Thing under test, attached to a fake host instead of a server: its property changes and events are recorded
/// (<see cref="Notifications"/>), its settings are kept in memory (<see cref="SavedSettings"/>), its <c>Logger</c>
/// writes to <see cref="Logs"/>, and its actions run with a real <see cref="ActionContext"/> (<see cref="StartAction(string, object?)"/>).
/// Create one with <see cref="ThingTestHost.Create{T}"/> or <see cref="ThingTestHost.Attach{T}"/>.
/// </summary>
/// <remarks>
/// What belongs to a server is not imitated: action locks, the server-wide lock, permissions, retention. Test those over
/// HTTP with <see cref="LabThingsTestServer"/>. Thread-safe.
/// </remarks>
/// <typeparam name="T">The Thing type.</typeparam>
public sealed class ThingTestHost<T> : IAsyncDisposable
    where T : Thing
{
    private readonly TestConnection _connection;
    private readonly ServiceProvider _services;
    private readonly IReadOnlyList<KeyValuePair<string, object>> _things;
    private readonly bool _ownsThing;
    private readonly Lock _gate = new();
    private readonly List<TestInvocation> _invocations = [];
    private bool _started;
    private bool _disposed;

    internal ThingTestHost(T thing, ThingTestOptions options, ServiceProvider services, bool ownsThing)
    {
        Thing = thing;
        _services = services;
        _things = options.Things;
        _ownsThing = ownsThing;
        Name = options.Name ?? ThingTestHost.DefaultName(typeof(T));
        _connection = new TestConnection(Name, thing, new RecordingLogger(), States);
        try
        {
            thing.Attach(_connection, thing.Definition);
            Slots.FillProperties(thing, _things);
            RestoreSettings(options.Settings);
        }
        catch
        {
            // The test gets the exception and no host to dispose: clean up what the host made.
            if (ownsThing)
            {
                (thing as IDisposable)?.Dispose();
            }

            services.Dispose();
            throw;
        }

        _connection.StartSaving();
    }

    /// <summary>The Thing under test.</summary>
    public T Thing { get; }

    /// <summary>The Thing's name (<see cref="LabThings.Thing.Name"/>).</summary>
    public string Name { get; }

    /// <summary>The services the Thing was created with, and the Things given for its slots.</summary>
    public IServiceProvider Services => _services;

    /// <summary>
    /// Every property change and event since the host was created (restoring settings tells nobody), in order. A data
    /// property is reported only when its value changes; a functional one when the Thing calls <c>NotifyPropertyChanged</c>.
    /// </summary>
    public IReadOnlyList<ThingNotification> Notifications => _connection.Notifications;

    /// <summary>
    /// The settings as a server would have saved them, by wire name: the values after restoring, then each change. A
    /// copy; give it to <see cref="ThingTestOptions.Settings"/> to test a restart.
    /// </summary>
    public JsonObject SavedSettings => _connection.Settings;

    /// <summary>Everything the Thing logged through its <c>Logger</c> (all levels), including during its actions.</summary>
    public IReadOnlyList<TestLogRecord> Logs => _connection.Records.Snapshot();

    /// <summary>Calls the Thing's <c>StartAsync</c>, as a server does before serving it; once.</summary>
    /// <param name="cancellationToken">Passed to <c>StartAsync</c>.</param>
    /// <returns>A task that completes when the Thing has started.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
        }

        await Thing.StartThingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the first notification about <paramref name="name"/> (a property or an event) that matches, including
    /// those already recorded: <c>await host.WaitForNotificationAsync("counter", n => (int)n.Value! >= 2)</c>.
    /// </summary>
    /// <param name="name">The property's or event's wire name.</param>
    /// <param name="match">Which notification to wait for; any when null.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The notification.</returns>
    /// <exception cref="TimeoutException">None came within <see cref="ThingTestHost.WaitTimeout"/>; the message lists what came.</exception>
    public async Task<ThingNotification> WaitForNotificationAsync(string name, Func<ThingNotification, bool>? match = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var waiter = _connection.WaitAsync(n => n.Name == name && (match is null || match(n)));
        try
        {
            return await waiter.WaitAsync(ThingTestHost.WaitTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _connection.Forget(waiter);
            var seen = Notifications.Where(n => n.Name == name).Select(n => JsonSerializer.Serialize(n.Value, LabThingsJson.Options)).ToList();
            throw new TimeoutException($"No matching notification about '{name}' came within {ThingTestHost.WaitTimeout.TotalSeconds} s; "
                + (seen.Count == 0 ? "none at all." : $"these came: {string.Join(", ", seen)}."));
        }
        catch (OperationCanceledException)
        {
            _connection.Forget(waiter);
            throw;
        }
    }

    // The overloads by name and by delegate differ in their first parameter's type, so a call is never ambiguous.
#pragma warning disable RS0026 // Do not add multiple public overloads with optional parameters

    /// <summary>
    /// Starts the action named <paramref name="action"/> as a server would: <paramref name="input"/> is checked against the
    /// action's input schema, then the action runs on the thread pool with a real <see cref="ActionContext"/> (its
    /// progress, log and cancellation recorded in the returned <see cref="TestInvocation"/>).
    /// </summary>
    /// <param name="action">The action's wire name (<c>slowly_increase_counter</c>).</param>
    /// <param name="input">
    /// The input: an object whose members are the parameters (<c>new { increments = 3 }</c>, a dictionary, a
    /// <see cref="JsonNode"/>), a JSON text, or null for none. Member names are written in snake_case.
    /// </param>
    /// <returns>The running invocation.</returns>
    /// <exception cref="ArgumentException">The Thing has no such action.</exception>
    /// <exception cref="PropertyValidationException">The input breaks the action's input schema (a server answers 422); nothing ran.</exception>
    public TestInvocation StartAction(string action, object? input = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var definition = Thing.Definition.Find(action) as ActionDefinition
            ?? throw new ArgumentException($"{typeof(T).Name} has no action '{action}' (its actions: {string.Join(", ", Thing.Definition.Actions.Select(a => a.Name))}).", nameof(action));
        return Start(definition, input);
    }

    /// <summary>
    /// Starts an action given as a method of the Thing (<c>host.StartAction(host.Thing.SlowlyIncreaseCounterAsync, new { increments = 3 })</c>),
    /// so that renaming the method renames the test; otherwise as <see cref="StartAction(string, object?)"/>.
    /// </summary>
    /// <param name="action">A <see cref="ThingActionAttribute"/> method of <see cref="Thing"/>.</param>
    /// <param name="input">The input, as for <see cref="StartAction(string, object?)"/>.</param>
    /// <returns>The running invocation.</returns>
    /// <exception cref="ArgumentException">The delegate is not an action method of this Thing.</exception>
    /// <exception cref="PropertyValidationException">The input breaks the action's input schema; nothing ran.</exception>
    public TestInvocation StartAction(Delegate action, object? input = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!ReferenceEquals(action.Target, Thing))
        {
            throw new ArgumentException($"The delegate must be a method of the Thing under test (host.Thing.{action.Method.Name}).", nameof(action));
        }

        var definition = Thing.Definition.Actions.FirstOrDefault(a => a.Member is System.Reflection.MethodInfo m && m.MethodHandle == action.Method.MethodHandle)
            ?? throw new ArgumentException($"{typeof(T).Name}.{action.Method.Name} is not a [ThingAction].", nameof(action));
        return Start(definition, input);
    }

    /// <summary>Runs the action named <paramref name="action"/> to its end (see <see cref="StartAction(string, object?)"/>).</summary>
    /// <param name="action">The action's wire name.</param>
    /// <param name="input">The input, as for <see cref="StartAction(string, object?)"/>.</param>
    /// <param name="cancellationToken">Cancels the invocation, as <see cref="TestInvocation.Cancel"/> does.</param>
    /// <returns>The ended invocation: completed, failed (with the exception) or cancelled. It does not throw what the action threw.</returns>
    public Task<TestInvocation> InvokeActionAsync(string action, object? input = null, CancellationToken cancellationToken = default)
        => RunAsync(StartAction(action, input), cancellationToken);

    /// <summary>Runs an action given as a method of the Thing to its end (see <see cref="StartAction(Delegate, object?)"/>).</summary>
    /// <param name="action">A <see cref="ThingActionAttribute"/> method of <see cref="Thing"/>.</param>
    /// <param name="input">The input, as for <see cref="StartAction(string, object?)"/>.</param>
    /// <param name="cancellationToken">Cancels the invocation, as <see cref="TestInvocation.Cancel"/> does.</param>
    /// <returns>The ended invocation.</returns>
    public Task<TestInvocation> InvokeActionAsync(Delegate action, object? input = null, CancellationToken cancellationToken = default)
        => RunAsync(StartAction(action, input), cancellationToken);

#pragma warning restore RS0026

    /// <summary>Cancels running actions and waits for them, stops the Thing if it was started, and disposes it if the host created it.</summary>
    /// <returns>A task that completes when everything has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        TestInvocation[] running;
        bool started;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            running = [.. _invocations];
            started = _started;
        }

        foreach (var invocation in running)
        {
            invocation.Cancel();
        }

        await Task.WhenAll(running.Select(i => i.Completion)).WaitAsync(ThingTestHost.WaitTimeout).ConfigureAwait(false);
        if (started)
        {
            using var timeout = new CancellationTokenSource(ThingTestHost.WaitTimeout);
            await Thing.StopThingAsync(timeout.Token).ConfigureAwait(false);
        }

        if (_ownsThing)
        {
            if (Thing is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else if (Thing is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }

        await _services.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<TestInvocation> RunAsync(TestInvocation invocation, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(invocation.Cancel);
        await invocation.Completion.ConfigureAwait(false);
        return invocation;
    }

    private TestInvocation Start(ActionDefinition action, object? input)
    {
        var json = input switch
        {
            null => "{}",
            string text => text,
            JsonNode node => node.ToJsonString(),
            _ => JsonSerializer.Serialize(input, input.GetType(), LabThingsJson.Options),
        };
        var (_, values) = ActionInvoker.BindInput(action, json, _ => null);

        var cancellation = new CancellationTokenSource();
        var records = new RecordingLogger();
        var invocation = new TestInvocation(action.Name, records, cancellation);
        var log = new TestInvocationLog(_connection.Logger, records);
        var context = new ActionContext(invocation.Id, log, new TestInvocation.Reporter(invocation), _services, cancellation.Token);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _invocations.Add(invocation);
        }

        invocation.Completion = Task.Run(() => RunAsync(invocation, action, values, context, cancellation), CancellationToken.None);
        return invocation;
    }

    /// <summary>Runs the action and records how it ended, as the server's invocation manager does; never throws.</summary>
    private async Task RunAsync(TestInvocation invocation, ActionDefinition action, Dictionary<string, object?> values, ActionContext context, CancellationTokenSource cancellation)
    {
        var records = ((TestInvocationLog)context.Logger).Records;
        try
        {
            var result = await ActionInvoker.InvokeAsync(Thing, action, values, context).ConfigureAwait(false);
            var json = result is Blob || action.OutputType is not { } type ? null : JsonSerializer.SerializeToNode(result, type, LabThingsJson.Options);
            invocation.Complete(result, json);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            records.Add(new TestLogRecord(LogLevel.Information, "The invocation was cancelled.", null));
            invocation.End(TestInvocationStatus.Cancelled, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            records.Add(new TestLogRecord(LogLevel.Error, ex.Message, ex));
            invocation.End(TestInvocationStatus.Failed, ex);
        }
        finally
        {
            lock (_gate)
            {
                _invocations.Remove(invocation);
            }

        }
    }

    private void RestoreSettings(IDictionary<string, object?> settings)
    {
        foreach (var (name, value) in settings)
        {
            if (!Thing.Properties.TryGet(name, out var property) || !property.Definition.IsSetting)
            {
                var known = Thing.Definition.Properties.Where(p => p.IsSetting).Select(p => p.Name).ToList();
                throw new ArgumentException($"{typeof(T).Name} has no setting '{name}' (its settings: {(known.Count == 0 ? "none" : string.Join(", ", known))}).", nameof(settings));
            }

            var json = value switch
            {
                JsonNode node => node.ToJsonString(),
                JsonElement element => element.GetRawText(),
                // Serialized as what it is (20 for a double setting is fine), then read as the setting's type.
                _ => JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object), LabThingsJson.Options),
            };
            property.SetJson(json);
        }
    }

    private Dictionary<string, object?> States()
    {
        var states = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, other) in _things)
        {
            if (other is Thing { ThingState: { } state })
            {
                states[name] = state;
            }
        }

        if (Thing.ThingState is { } own)
        {
            states[Name] = own;
        }

        return states;
    }
}
