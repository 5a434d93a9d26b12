namespace LabThings.Server.Actions;

/// <summary>An action that refuses to queue was requested while its lock was held.</summary>
internal sealed class ActionLockedException(string lockName)
    : InvalidOperationException($"Another action holding the lock '{lockName}' is running; try again when it has finished.");
