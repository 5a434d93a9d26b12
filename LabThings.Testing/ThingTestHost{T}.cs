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
public sealed partial class ThingTestHost<T> : IAsyncDisposable
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
