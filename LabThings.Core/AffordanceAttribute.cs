namespace LabThings;

/// <summary>The base of every attribute that exposes a member of a <see cref="Thing"/> as an affordance.</summary>
public abstract class AffordanceAttribute : Attribute
{
    /// <summary>
    /// The name on the wire (URL segment and Thing Description key). Default: the member's name in
    /// snake_case, without an <c>Async</c> suffix (<c>FrameRate</c> → <c>frame_rate</c>).
    /// Letters, digits, <c>_</c> and <c>-</c> only.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>A human-readable title for the Thing Description and OpenAPI. Default: the member's name as words.</summary>
    public string? Title { get; set; }

    /// <summary>A description for the Thing Description and OpenAPI. Default: the member's <see cref="System.ComponentModel.DescriptionAttribute"/>, if any.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// Whether writing this property or invoking this action takes the server-wide lock, when the server has one
    /// (<c>LabThingsOptions.GlobalLock</c>); true by default. Set it to false for what may run alongside anything,
    /// such as an emergency stop or a label. Reading and observing never take the lock.
    /// </summary>
    public bool GlobalLock { get; set; } = true;
}
