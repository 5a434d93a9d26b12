using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LabThings.Model;
using LabThings.Outputs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LabThings;

/// <summary>
/// The base class of every Thing: an instrument or service exposed on the network. Subclass it and tag
/// members with LabThings attributes (<see cref="MjpegStreamAttribute"/>, …); the server discovers them
/// once per type and serves an HTTP API, OpenAPI and a W3C Thing Description for them.
/// </summary>
/// <remarks>
/// Open hardware in <see cref="StartAsync"/> and release it in <see cref="StopAsync"/>, not in the
/// constructor: the server calls them when it starts and stops. Members without a LabThings attribute
/// are never exposed.
/// </remarks>
public abstract partial class Thing
{
    private static readonly AsyncLocal<InvocationLogger?> CurrentInvocation = new();
    private readonly ConcurrentDictionary<string, MjpegStream> _streams = new(StringComparer.Ordinal);
    private IThingConnection? _connection;
    private ThingDefinition? _definition;

    /// <summary>The Thing's name on the server (its URL segment, e.g. <c>camera</c>); null until the Thing is added to a server.</summary>
    public string? Name => _connection?.Name;

    /// <summary>The definition of this Thing's type: its affordances (discovered once per type, and shared).</summary>
    /// <exception cref="ThingDefinitionException">The type cannot be described; lists every problem.</exception>
    public ThingDefinition Definition => _definition ??= ThingDefinitions.Get(GetType());

    /// <summary>
    /// A small summary of the Thing's state for metadata, such as a stage's position or a camera's exposure
    /// (labthings-fastapi's <c>thing_state</c>); null (the default) leaves the Thing out. It is read whenever
    /// some code asks for every Thing's state (<see cref="GetThingStates"/>), e.g. to embed it in a captured image,
    /// so keep it cheap and serialisable to JSON.
    /// </summary>
    public virtual object? ThingState => null;

    /// <summary>
    /// The <see cref="ThingState"/> of every Thing on the server that has one, by Thing name (this one included);
    /// empty until the Thing is added to a server.
    /// </summary>
    /// <returns>A new dictionary, read now.</returns>
    protected IReadOnlyDictionary<string, object?> GetThingStates() => _connection?.ThingStates() ?? new Dictionary<string, object?>();

    /// <summary>
    /// The Thing's logger (category <c>LabThings.Things.{name}</c>); a no-op logger until the Thing is added to a server.
    /// Inside one of this Thing's actions, and in everything the action calls or awaits, it also writes (from
    /// Information up) into that invocation's <c>log</c>.
    /// </summary>
    protected ILogger Logger => CurrentInvocation.Value switch
    {
        { } invocation when ReferenceEquals(invocation.Thing, this) => invocation.Logger,

        // Another Thing used during the invocation (e.g. through a slot): its own log, and the invocation's records.
        { Logger: IInvocationLog log } => log.For(_connection?.Logger ?? NullLogger.Instance),
        _ => _connection?.Logger ?? NullLogger.Instance,
    };

    /// <summary>Streams created so far on this instance.</summary>
    internal IEnumerable<MjpegStream> CreatedStreams => _streams.Values;

    /// <summary>
    /// Called once when the server starts, before it serves requests for this Thing. Open hardware and
    /// start background work here. The default does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancelled if start-up is abandoned.</param>
    /// <returns>A task that completes when the Thing is ready.</returns>
    protected virtual Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Called once when the server shuts down, after this Thing's streams have been stopped. Stop
    /// background work and release hardware here. The default does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the host's shutdown timeout expires.</param>
    /// <returns>A task that completes when the Thing has stopped.</returns>
    protected virtual Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Returns the <see cref="MjpegStream"/> of the calling <see cref="MjpegStreamAttribute"/> property,
    /// creating it on first access (once per instance, thread-safe) with the attribute's ring buffer size.
    /// </summary>
    /// <param name="propertyName">Filled in by the compiler: the calling property.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="InvalidOperationException">Not called from a property tagged <see cref="MjpegStreamAttribute"/>.</exception>
    protected MjpegStream GetStream([CallerMemberName] string propertyName = "")
    {
        if (_streams.TryGetValue(propertyName, out var existing))
        {
            return existing;
        }

        var definition = Definition.FindStreamByMember(propertyName)
            ?? throw new InvalidOperationException(
                $"GetStream() must be called from a property tagged [MjpegStream]; {GetType().Name}.{propertyName} is not one.");
        return _streams.GetOrAdd(propertyName, static (_, size) => new MjpegStream(size), definition.RingbufferSize);
    }

    /// <summary>
    /// Makes <see cref="Logger"/> write to an invocation's log until the result is disposed, in this call and in
    /// everything it starts (the value flows with the execution context into awaits and tasks).
    /// </summary>
    internal InvocationScope EnterInvocation(ILogger invocationLogger)
    {
        var previous = CurrentInvocation.Value;
        CurrentInvocation.Value = new InvocationLogger(this, invocationLogger);
        return new InvocationScope(previous);
    }

    /// <summary>Lets the server call <see cref="StartAsync"/>.</summary>
    internal Task StartThingAsync(CancellationToken cancellationToken) => StartAsync(cancellationToken);

    /// <summary>Lets the server call <see cref="StopAsync"/>.</summary>
    internal Task StopThingAsync(CancellationToken cancellationToken) => StopAsync(cancellationToken);

    /// <summary>
    /// Connects the Thing to its host, once: gives it its definition (from the one cache the host validated) and
    /// its connection, remembers the current value of every data property as its default, and forwards the
    /// Thing's events to the host.
    /// </summary>
    /// <exception cref="InvalidOperationException">The Thing was already attached, or <paramref name="definition"/> is another type's.</exception>
    internal void Attach(IThingConnection connection, ThingDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.ThingType != GetType())
        {
            throw new InvalidOperationException($"The definition of {definition.ThingType.Name} cannot describe a {GetType().Name}.");
        }

        if (Interlocked.CompareExchange(ref _connection, connection, null) is { } existing)
        {
            throw new InvalidOperationException($"This {GetType().Name} is already attached to a server as '{existing.Name}'.");
        }

        _definition = definition;
        CaptureDefaults();
        foreach (var thingEvent in definition.Events)
        {
            thingEvent.Subscribe(this, payload => connection.EventRaised(thingEvent, payload));
        }
    }

    /// <summary>Restores the invocation logger that was current before <see cref="EnterInvocation"/>.</summary>
    internal readonly struct InvocationScope(InvocationLogger? previous) : IDisposable
    {
        public void Dispose() => CurrentInvocation.Value = previous;
    }

    /// <summary>The Thing whose action is running, and its invocation's logger.</summary>
    internal sealed record InvocationLogger(Thing Thing, ILogger Logger);
}
