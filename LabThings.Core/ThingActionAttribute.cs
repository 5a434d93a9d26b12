namespace LabThings;

/// <summary>
/// Exposes a method of a <see cref="Thing"/> as an action: <c>POST /{thing}/{name}</c> starts an invocation that runs
/// in the background and can be polled, logged and cancelled. The method may be synchronous or asynchronous;
/// its parameters form the action's input (a JSON object, validated against a schema generated from their types)
/// and its return value the output.
/// </summary>
/// <remarks>
/// Parameters of these types are supplied by the framework and are not part of the input:
/// <see cref="CancellationToken"/> (cancelled by <c>DELETE</c> on the invocation),
/// <see cref="Microsoft.Extensions.Logging.ILogger"/> (records also go into the invocation's <c>log</c>),
/// <see cref="IProgress{T}"/> of <see cref="double"/> (fraction done, 0 to 1, shown as the invocation's <c>progress</c>)
/// and <see cref="ActionContext"/> (all of these, plus access to other Things for calling their actions in-process).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ThingActionAttribute : AffordanceAttribute
{
    /// <summary>How long a finished invocation (and any blob it returned) is kept, in seconds. Default 300 (5 minutes).</summary>
    public int RetentionSeconds { get; set; } = 300;

    /// <summary>
    /// The name of a lock the action holds while it runs, so that actions sharing a lock run one at a time.
    /// Lock names are shared by every Thing on the server; <see cref="ActionLocks.PerThing"/> gives each Thing its own lock.
    /// Null (the default): no lock.
    /// </summary>
    public string? Lock { get; set; }

    /// <summary>
    /// When the <see cref="Lock"/> is held by another invocation: false (the default) to wait for it (the invocation stays
    /// <c>pending</c>), true to refuse the request with 409 Conflict.
    /// </summary>
    public bool RefuseWhenLocked { get; set; }

    /// <summary>
    /// For an action returning a <see cref="Outputs.Blob"/>: the media type it always returns (e.g. <c>image/jpeg</c>),
    /// announced in the Thing Description so that clients can expect it. Null (the default) if it varies.
    /// </summary>
    public string? OutputMediaType { get; set; }

    /// <summary>Whether the action changes nothing (TD <c>safe</c>). Default false.</summary>
    public bool Safe { get; set; }

    /// <summary>Whether invoking the action twice with the same input has the same effect as once (TD <c>idempotent</c>). Default false.</summary>
    public bool Idempotent { get; set; }
}

/// <summary>Special lock names for <see cref="ThingActionAttribute.Lock"/>.</summary>
public static class ActionLocks
{
    /// <summary>A lock of the Thing's own: its actions with this lock run one at a time, independently of other Things.</summary>
    public const string PerThing = "{thing}";
}
