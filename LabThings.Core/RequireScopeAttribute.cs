namespace LabThings;

/// <summary>
/// Requires callers to hold a scope (a permission named in their token's <c>scope</c> claim, or in a configured
/// user's scopes) before they may use an affordance, in addition to the permission for the kind of operation
/// (<c>read</c>, <c>write</c>, <c>invoke</c>, <c>observe</c>, <c>cancel</c>). On a Thing class it applies to every
/// affordance of the Thing. It has effect only when the server has authentication configured.
/// </summary>
/// <example>
/// <code>
/// [ThingAction, RequireScope("stage:move")]
/// public Task MoveAbsolute(int x, int y, int z, CancellationToken cancellationToken) { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property | AttributeTargets.Method | AttributeTargets.Event, AllowMultiple = true, Inherited = true)]
public sealed class RequireScopeAttribute : Attribute
{
    /// <summary>Requires <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope, e.g. <c>stage:move</c>: no white space, not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is empty or contains white space.</exception>
    public RequireScopeAttribute(string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        if (scope.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"A scope cannot contain white space: '{scope}'.", nameof(scope));
        }

        Scope = scope;
    }

    /// <summary>The scope a caller must hold.</summary>
    public string Scope { get; }
}
