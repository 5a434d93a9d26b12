namespace LabThings.Testing;

/// <summary>What a notification is about.</summary>
public enum ThingNotificationKind
{
    /// <summary>A property's value changed.</summary>
    Property,

    /// <summary>The Thing raised an event.</summary>
    Event,
}

/// <summary>
/// Something a Thing under test told its host, as a server would pass it on to observers: a property change (with the
/// new value) or an event (with its payload).
/// </summary>
/// <param name="Kind">A property change or an event.</param>
/// <param name="Name">The property's or event's wire name (<c>brightness</c>, <c>overheated</c>).</param>
/// <param name="Value">The property's new value (for a functional property, read from its getter when notified), or the event's payload.</param>
public sealed record ThingNotification(ThingNotificationKind Kind, string Name, object? Value);
