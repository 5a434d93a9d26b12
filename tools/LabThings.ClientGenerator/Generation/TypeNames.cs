namespace LabThings.ClientGenerator.Generation;

/// <summary>
/// The type names taken in the generated namespace, shared by every Thing of one run: a record or enum whose name is
/// taken gets its Thing's name in front (<c>StagePosition</c>), then a number.
/// </summary>
internal sealed class TypeNames
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>Takes <paramref name="preferred"/>, else <paramref name="prefix"/> + <paramref name="preferred"/>, else that with 2, 3, … appended.</summary>
    public string Reserve(string preferred, string prefix) =>
        Identifiers.Unique(_taken, preferred.StartsWith(prefix, StringComparison.Ordinal) ? [preferred] : [preferred, prefix + preferred]);
}
