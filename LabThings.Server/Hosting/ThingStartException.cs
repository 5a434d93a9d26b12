namespace LabThings.Server;

/// <summary>
/// Thrown when the server starts and a Thing's start-up fails: names the Thing and its type, with the Thing's own
/// exception as <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class ThingStartException : InvalidOperationException
{
    /// <summary>Creates the exception for a Thing that failed to start.</summary>
    /// <param name="thingName">The Thing's name on the server.</param>
    /// <param name="thingType">The Thing's class.</param>
    /// <param name="innerException">What the Thing threw.</param>
    public ThingStartException(string thingName, Type thingType, Exception innerException)
        : base($"Thing '{thingName}' ({thingType?.FullName}) failed to start: {innerException?.Message}", innerException)
    {
        ThingName = thingName;
        ThingType = thingType;
    }

    /// <summary>Creates the exception with a message.</summary>
    public ThingStartException()
        : base("A Thing failed to start.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public ThingStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public ThingStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The name of the Thing that failed to start, if known.</summary>
    public string? ThingName { get; }

    /// <summary>The class of the Thing that failed to start, if known.</summary>
    public Type? ThingType { get; }
}
