using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings;

/// <summary>
/// What the framework gives a running action: its cancellation token, a logger whose records go into the
/// invocation's log, progress reporting, and the other Things on the server (to call their actions in-process).
/// Declare a parameter of this type on a <see cref="ThingActionAttribute"/> method to receive it.
/// </summary>
public sealed class ActionContext
{
    private readonly IServiceProvider _services;
    private readonly IProgress<double> _progress;

    internal ActionContext(string invocationId, ILogger logger, IProgress<double> progress, IServiceProvider services, CancellationToken cancellationToken)
    {
        InvocationId = invocationId;
        CancellationToken = cancellationToken;
        Logger = logger;
        _progress = progress;
        _services = services;
    }

    /// <summary>The invocation's id.</summary>
    public string InvocationId { get; }

    /// <summary>Cancelled when a client cancels the invocation (or the server shuts down).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Logs to the Thing's logger and into the invocation's <c>log</c>.</summary>
    public ILogger Logger { get; }

    /// <summary>The invocation's progress reporter.</summary>
    internal IProgress<double> Progress => _progress;

    /// <summary>Reports how much is done, as a fraction from 0 to 1 (values outside are clamped); shown as the invocation's <c>progress</c>.</summary>
    /// <param name="fraction">The fraction done.</param>
    public void ReportProgress(double fraction) => _progress.Report(fraction);

    /// <summary>
    /// Returns the Thing of type <typeparamref name="T"/> on this server (the first one added, if several), to call its
    /// actions directly, in-process: <c>await context.GetThing&lt;Stage&gt;().MoveAsync(x, context.CancellationToken)</c>.
    /// </summary>
    /// <typeparam name="T">The Thing type.</typeparam>
    /// <returns>The Thing.</returns>
    /// <exception cref="InvalidOperationException">No Thing of that type was added.</exception>
    public T GetThing<T>()
        where T : Thing => _services.GetService<T>()
        ?? throw new InvalidOperationException($"No {typeof(T).Name} was added to this server.");
}
