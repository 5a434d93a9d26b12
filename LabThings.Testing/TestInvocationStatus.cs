namespace LabThings.Testing;

/// <summary>Where an action started by a <see cref="ThingTestHost{T}"/> is.</summary>
public enum TestInvocationStatus
{
    /// <summary>Still running.</summary>
    Running,

    /// <summary>Returned; its output is in <see cref="TestInvocation.Output"/>.</summary>
    Completed,

    /// <summary>Threw; the exception is in <see cref="TestInvocation.Exception"/> (a server reports it as <c>error</c>).</summary>
    Failed,

    /// <summary>Stopped by <see cref="TestInvocation.Cancel"/> (it threw <see cref="OperationCanceledException"/> after cancellation).</summary>
    Cancelled,
}
