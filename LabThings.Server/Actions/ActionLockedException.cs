namespace LabThings.Server.Actions;

/// <summary>An action that refuses to queue was requested while its lock (or the server-wide lock) was held.</summary>
internal sealed class ActionLockedException : InvalidOperationException
{
    public ActionLockedException(string lockName)
        : base($"Another action holding the lock '{lockName}' is running; try again when it has finished.")
    {
    }

    private ActionLockedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The server-wide lock is held: <paramref name="busy"/> says by what.</summary>
    public static ActionLockedException Global(string busy) => new(busy, null);
}
