namespace LabThings.Server.Actions;

/// <summary>An invocation was requested while its action, or the server, already had as many unfinished ones as allowed.</summary>
internal sealed class TooManyInvocationsException(string message) : InvalidOperationException(message);
