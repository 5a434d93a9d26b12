using System.Reflection;

namespace LabThings.Model;

/// <summary>
/// One affordance of a Thing type, found by reflection once per type. The endpoints, the OpenAPI document
/// and the Thing Description are all built from these definitions; none of them reflects again.
/// </summary>
/// <remarks>Definitions are immutable and thread-safe. Only LabThings creates them.</remarks>
public abstract class AffordanceDefinition
{
    private protected AffordanceDefinition(string name, string title, string? description, MemberInfo member)
    {
        Name = name;
        Title = title;
        Description = description;
        Member = member;
    }

    /// <summary>The name on the wire: URL segment and key in the Thing Description.</summary>
    public string Name { get; }

    /// <summary>A human-readable title.</summary>
    public string Title { get; }

    /// <summary>A longer description, or null.</summary>
    public string? Description { get; }

    /// <summary>The C# member the affordance was found on.</summary>
    public MemberInfo Member { get; }

    /// <summary>
    /// The scopes a caller must hold to use this affordance (from <see cref="RequireScopeAttribute"/> on the member
    /// and on the Thing class), in addition to the permission for the operation; empty when none are required.
    /// </summary>
    public IReadOnlyList<string> RequiredScopes { get; internal set; } = [];

    /// <summary>Whether writing or invoking it takes the server-wide lock when the server has one (see <see cref="AffordanceAttribute.GlobalLock"/>).</summary>
    public bool UsesGlobalLock { get; internal set; } = true;

    /// <summary>Its semantic types (<see cref="SemanticTypeAttribute"/>), the <c>@type</c> of its entry in the Thing Description; empty when none.</summary>
    public IReadOnlyList<string> SemanticTypes { get; internal set; } = [];

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name} '{Name}' ({Member.DeclaringType?.Name}.{Member.Name})";
}
