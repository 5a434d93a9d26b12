using LabThings.Model;
using LabThings.Server.Actions;
using LabThings.Server.Observation;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Benchmarks.Micro;

/// <summary>
/// Every use of a LabThings library internal by the benchmarks is in this file (LabThings.Server grants
/// InternalsVisibleTo to LabThings.Benchmarks for it), so that when an internal is renamed or reshaped only this
/// file changes (LabThings.Core grants it too, for <c>ActionInvoker</c>). Used: <c>ObservationHub</c>,
/// <c>ObservationKey</c>, <c>ObservationKind</c> and <c>Subscriber</c> (subscribing as the WebSocket endpoint does),
/// <c>ActionInvoker</c> and <c>BlobStore</c> (binding an action's input as <c>POST /{thing}/{action}</c> does).
/// </summary>
internal static class Internals
{
    private static readonly BlobStore Blobs = new();

    /// <summary>
    /// Subscribes to a property of a Thing on the server behind <paramref name="services"/>, as a WebSocket observer
    /// would, with a subscriber whose queue nobody reads (it is bounded and drops the oldest notification when full).
    /// </summary>
    /// <returns>The subscription: dispose it to unsubscribe.</returns>
    public static IDisposable ObserveProperty(IServiceProvider services, string thing, string property)
        => services.GetRequiredService<ObservationHub>().Subscribe(new ObservationKey(thing, ObservationKind.Property, property), new Subscriber());

    /// <summary>Validates an action's JSON input and turns it into the method's arguments, as the server does for a POST.</summary>
    /// <returns>The argument values by input name.</returns>
    public static IReadOnlyDictionary<string, object?> BindActionInput(ActionDefinition action, string json)
        => ActionInvoker.BindInput(action, json, Blobs.FromHref).Values;
}
