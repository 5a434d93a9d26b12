using System.Reflection;

namespace LabThings.Model;

/// <summary>What kind of affordance a member of a Thing is.</summary>
public enum AffordanceKind
{
    /// <summary>A value that can be read (and, if writable, written): <c>[ThingProperty]</c> or <c>[ThingSetting]</c>.</summary>
    Property,

    /// <summary>A method that runs in the background when invoked: <c>[ThingAction]</c>.</summary>
    Action,

    /// <summary>Something the Thing raises that subscribers are told about: <c>[ThingEvent]</c>.</summary>
    Event,

    /// <summary>A live MJPEG camera stream: <see cref="MjpegStreamAttribute"/>.</summary>
    Stream,
}

/// <summary>
/// One affordance of a Thing type, found by reflection once per type. The endpoint mapper, the
/// OpenAPI document and the Thing Description are all built from these definitions; none of them reflects again.
/// </summary>
public abstract record AffordanceDefinition
{
    /// <summary>The name on the wire: URL segment and key in the Thing Description.</summary>
    public required string Name { get; init; }

    /// <summary>A human-readable title.</summary>
    public required string Title { get; init; }

    /// <summary>A longer description, or null.</summary>
    public string? Description { get; init; }

    /// <summary>The C# member the affordance was found on.</summary>
    public required MemberInfo Member { get; init; }

    /// <summary>What kind of affordance this is.</summary>
    public abstract AffordanceKind Kind { get; }
}
