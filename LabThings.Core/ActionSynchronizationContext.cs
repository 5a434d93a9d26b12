using Microsoft.Extensions.Logging;

namespace LabThings;

/// <summary>
/// The synchronization context an action runs under. It runs posted work on the thread pool, as if there were no
/// context, but catches what that work throws: an <c>async void</c> method started from the action (an event
/// handler, a helper) raises its exception through its context, and without one .NET raises it on the thread pool,
/// which ends the process. Here it is logged to the invocation's log and the server's, and the process goes on.
/// </summary>
/// <remarks>
/// Covers async void work started while the action's code runs on this context: synchronously, or after an
/// <c>await</c> without <c>ConfigureAwait(false)</c>. Work started on a bare thread, or after
/// <c>ConfigureAwait(false)</c>, is beyond any context's reach.
/// </remarks>
internal sealed partial class ActionSynchronizationContext(ILogger logger) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        ThreadPool.QueueUserWorkItem(static s => s.Context.Run(s.Callback, s.State), (Context: this, Callback: d, State: state), preferLocal: false);
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        Run(d, state);
    }

    public override SynchronizationContext CreateCopy() => this;

    private void Run(SendOrPostCallback callback, object? state)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            callback(state);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.EscapedException(logger, ex, ex.GetType().Name, ex.Message);
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Background work started by the action (an async void method?) failed: {ExceptionType}: {Reason}", EventName = "ActionBackgroundWorkFailed")]
        public static partial void EscapedException(ILogger logger, Exception exception, string exceptionType, string reason);
    }
}
