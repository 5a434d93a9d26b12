using Microsoft.Extensions.Logging;

namespace LabThings;

/// <summary>
/// The host's log of a running invocation, as the Thing whose action runs sees it (its <c>Logger</c>). Another
/// Thing used during the invocation (through a slot) gets <see cref="For"/>: its lines go to its own logger and
/// into this invocation's records.
/// </summary>
internal interface IInvocationLog
{
    /// <summary>A logger writing to <paramref name="thingLogger"/> and into the invocation's records.</summary>
    ILogger For(ILogger thingLogger);
}
