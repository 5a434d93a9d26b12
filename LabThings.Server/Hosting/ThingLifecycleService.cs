using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LabThings.Server.Hosting;

/// <summary>
/// Starts every Thing when the host starts (before the server takes requests) and, on shutdown, first
/// stops every stream (ending open MJPEG responses so the server can drain at once) and then stops the
/// Things in reverse order.
/// </summary>
internal sealed partial class ThingLifecycleService(ThingHost host, ILogger<ThingLifecycleService> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var thing in host.StartOrder)
        {
            Log.Starting(logger, thing.Name, thing.Definition.ThingType.Name);
            try
            {
                await thing.Thing.StartThingAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
            {
                // Whoever starts the server learns which Thing failed, not only what it threw.
                throw new ThingStartException(thing.Name, thing.Definition.ThingType, ex);
            }
        }
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        foreach (var thing in host.Things)
        {
            foreach (var stream in thing.Thing.CreatedStreams)
            {
                stream.Stop();
            }
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        for (var i = host.StartOrder.Count - 1; i >= 0; i--)
        {
            var thing = host.StartOrder[i];
            try
            {
                await thing.Thing.StopThingAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One Thing failing to stop must not keep the others from stopping.
                Log.StopFailed(logger, ex, thing.Name);
            }
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Starting Thing '{ThingName}' ({ThingType})", EventName = "ThingStarting")]
        public static partial void Starting(ILogger logger, string thingName, string thingType);

        [LoggerMessage(2, LogLevel.Error, "Thing '{ThingName}' failed to stop", EventName = "ThingStopFailed")]
        public static partial void StopFailed(ILogger logger, Exception exception, string thingName);
    }
}
