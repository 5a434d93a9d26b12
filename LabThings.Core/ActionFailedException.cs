namespace LabThings;

/// <summary>
/// Throw from an action to end its invocation with status <c>error</c> and this message, as an expected,
/// handled failure (e.g. "the stage is at its limit"): no stack trace is logged. Any other exception also
/// ends the invocation with <c>error</c>, but is logged with its stack trace as an unexpected failure.
/// </summary>
public sealed class ActionFailedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public ActionFailedException()
        : base("The action failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for the client.</param>
    public ActionFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What went wrong, for the client.</param>
    /// <param name="innerException">The cause.</param>
    public ActionFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
