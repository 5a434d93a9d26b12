namespace LabThings;

/// <summary>
/// Exposes a C# event of a <see cref="Thing"/> as an event affordance: raising it notifies every subscriber
/// (over WebSocket at <c>/{thing}/ws</c>, or Server-Sent Events at <c>GET /{thing}/{name}</c>) with its payload
/// as JSON. The event's type must be <see cref="EventHandler{TEventArgs}"/>, <see cref="Action{T}"/> (the payload is the
/// argument) or <see cref="EventHandler"/>/<see cref="Action"/> (no payload).
/// </summary>
/// <example>
/// <code>
/// [ThingEvent(Description = "The sensor is too hot")]
/// public event EventHandler&lt;OverheatWarning&gt;? Overheated;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Event, AllowMultiple = false, Inherited = true)]
public sealed class ThingEventAttribute : AffordanceAttribute
{
}
