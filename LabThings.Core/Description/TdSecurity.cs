using LabThings.Model;

namespace LabThings.Description;

/// <summary>
/// What a Thing Description says about security: the named schemes, the ones every form needs, and (optionally)
/// which operations are open to everyone, whose forms then name <see cref="OpenScheme"/> instead.
/// </summary>
/// <param name="Definitions">The <c>securityDefinitions</c>, by name.</param>
/// <param name="Security">The names that apply to every form unless the form says otherwise.</param>
/// <param name="OpenScheme">The name of a <c>nosec</c> definition for forms open to everyone, or null.</param>
/// <param name="IsOpen">Whether an operation (e.g. <c>readproperty</c>) on an affordance (null: the whole Thing) needs no credentials, or null when none is open.</param>
internal sealed record TdSecurity(
    IReadOnlyDictionary<string, SecurityScheme> Definitions,
    IReadOnlyList<string> Security,
    string? OpenScheme = null,
    Func<AffordanceDefinition?, string, bool>? IsOpen = null)
{
    /// <summary>The name of the <c>nosec</c> definition.</summary>
    public const string NoSecurityName = "nosec_sc";

    /// <summary>No security: every form works without credentials.</summary>
    public static TdSecurity None { get; } = new(
        new Dictionary<string, SecurityScheme> { [NoSecurityName] = new() { Scheme = "nosec" } },
        [NoSecurityName]);

    /// <summary>
    /// Whether observation forms list long polling first: true when observing needs credentials, since node-wot's
    /// <c>EventSource</c> sends none, while its long polling sends them like any request.
    /// </summary>
    public bool LongPollFirst { get; init; }

    /// <summary>The forms with the <c>security</c> of those open to everyone set to <see cref="OpenScheme"/>.</summary>
    public IReadOnlyList<Form> Apply(AffordanceDefinition? affordance, IReadOnlyList<Form> forms)
    {
        if (IsOpen is null || OpenScheme is null)
        {
            return forms;
        }

        return forms.Select(f => f.Op.All(op => IsOpen(affordance, op)) ? f with { Security = [OpenScheme] } : f).ToArray();
    }
}
