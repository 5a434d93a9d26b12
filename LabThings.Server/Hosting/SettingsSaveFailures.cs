namespace LabThings.Server.Hosting;

/// <summary>
/// Collects the settings saves that fail while a client's request changes a Thing, so that the request can be
/// answered with the failure instead of success. A request opens a scope with <see cref="Watch"/>; a save that fails
/// on the same logical call path (the property's setter, then the Thing's connection) is recorded in it. Changes
/// outside a scope (the Thing's own code) are only logged.
/// </summary>
internal sealed class SettingsSaveFailures : IDisposable
{
    private static readonly AsyncLocal<SettingsSaveFailures?> Current = new();
    private readonly SettingsSaveFailures? _outer;
    private readonly List<string> _reasons = [];

    private SettingsSaveFailures()
    {
        _outer = Current.Value;
        Current.Value = this;
    }

    /// <summary>Why each save failed, in order.</summary>
    public IReadOnlyList<string> Reasons => _reasons;

    /// <summary>Starts collecting failures of this logical call path; dispose to stop.</summary>
    public static SettingsSaveFailures Watch() => new();

    /// <summary>Records a failed save in the scope of the current call path, if one is open.</summary>
    public static void Report(string reason) => Current.Value?._reasons.Add(reason);

    public void Dispose() => Current.Value = _outer;
}
