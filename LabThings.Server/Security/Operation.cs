namespace LabThings.Server.Security;

/// <summary>The kinds of operation permissions are given for (their scope names are the lower-case names).</summary>
internal enum Operation
{
    /// <summary>Thing Descriptions and the list of Things: open to everyone.</summary>
    Describe,

    /// <summary>Reading a property, a stream, a snapshot or the stream viewer.</summary>
    Read,

    /// <summary>Writing or resetting a property.</summary>
    Write,

    /// <summary>Invoking an action.</summary>
    Invoke,

    /// <summary>Observing properties, actions and events (SSE and WebSocket).</summary>
    Observe,

    /// <summary>Cancelling an invocation.</summary>
    Cancel,

    /// <summary>Reading invocations and their outputs: anyone with some access, limited to their own invocations.</summary>
    Invocations,
}
