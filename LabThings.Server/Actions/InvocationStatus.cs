namespace LabThings.Server.Actions;

/// <summary>The life of an invocation: pending → running → completed, cancelled or error.</summary>
internal enum InvocationStatus
{
    Pending,
    Running,
    Completed,
    Cancelled,
    Error,
}
