using System.Runtime.CompilerServices;
using System.Text.Json;
using LabThings.Client.Internal;

namespace LabThings.Client;

public sealed partial class ThingClient
{
    /// <summary>Reads a property through its first <c>readproperty</c> form.</summary>
    /// <param name="name">The property's name in the TD.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The value (a base64 string when the form answers with bytes, such as a JPEG snapshot).</returns>
    /// <exception cref="ArgumentException">The Thing has no such property.</exception>
    /// <exception cref="NotSupportedException">The property has no HTTP <c>readproperty</c> form (it is write-only, say).</exception>
    /// <exception cref="ThingProblemException">The Thing answered with an error status.</exception>
    public async Task<JsonElement> ReadPropertyAsync(string name, CancellationToken cancellationToken = default)
    {
        var form = FirstHttpForm("properties", name, Affordance("properties", name), "readproperty");
        using var response = await SendAsync(
            form.Method("readproperty"), form.Resolve(_base), form, null, form.ExpectedResponseType, HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
        return await ReadValueAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a property and converts it with <see cref="ThingClientOptions.SerializerOptions"/>.</summary>
    /// <typeparam name="T">The type to convert to.</typeparam>
    /// <param name="name">The property's name in the TD.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The value; default when the Thing sent null or nothing.</returns>
    /// <exception cref="JsonException">The value does not convert to <typeparamref name="T"/>.</exception>
    /// <inheritdoc cref="ReadPropertyAsync(string, CancellationToken)" path="/exception"/>
    public async Task<T?> ReadPropertyAsync<T>(string name, CancellationToken cancellationToken = default)
        => Convert<T>(await ReadPropertyAsync(name, cancellationToken).ConfigureAwait(false));

    /// <summary>Writes a property through its first <c>writeproperty</c> form, as JSON.</summary>
    /// <typeparam name="T">The value's type; a <see cref="JsonElement"/> is sent as it is.</typeparam>
    /// <param name="name">The property's name in the TD.</param>
    /// <param name="value">The value, converted with <see cref="ThingClientOptions.SerializerOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the Thing has accepted the value.</returns>
    /// <exception cref="ArgumentException">The Thing has no such property.</exception>
    /// <exception cref="NotSupportedException">The property has no HTTP <c>writeproperty</c> form (it is read-only, say).</exception>
    /// <exception cref="ThingProblemException">The Thing refused the value; <see cref="ThingProblemException.Errors"/> names the offending fields when it said.</exception>
    public async Task WritePropertyAsync<T>(string name, T value, CancellationToken cancellationToken = default)
    {
        var form = FirstHttpForm("properties", name, Affordance("properties", name), "writeproperty");
        if (!TdForm.IsJson(form.ContentType))
        {
            throw new NotSupportedException($"The property '{name}' of '{Title}' is written as '{form.ContentType}'; this client writes JSON only.");
        }

        using var response = await SendAsync(
            form.Method("writeproperty"), form.Resolve(_base), form, JsonContent(value, form.ContentType), null, HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Observes a property: each new value, for as long as the caller enumerates. Uses the first
    /// <c>observeproperty</c> form this client understands, in the TD's order: Server-Sent Events
    /// (subprotocol <c>sse</c>), long polling (<c>longpoll</c>, or an HTTP form without subprotocol), or a
    /// WebSocket speaking the Web Thing Protocol messages of LabThings and labthings-fastapi
    /// (a <c>ws:</c>/<c>wss:</c> href, subprotocol <c>webthingprotocol</c> or none).
    /// </summary>
    /// <param name="name">The property's name in the TD.</param>
    /// <param name="cancellationToken">Ends the observation (the enumeration then throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The values, in the order the Thing sent them; ends when the Thing closes the connection.</returns>
    /// <exception cref="ArgumentException">The Thing has no such property.</exception>
    /// <exception cref="NotSupportedException">The property offers no observation this client understands.</exception>
    /// <exception cref="ThingProblemException">The Thing refused the observation.</exception>
    public IAsyncEnumerable<JsonElement> ObservePropertyAsync(string name, CancellationToken cancellationToken = default)
        => ObserveAsync("properties", name, "observeproperty", cancellationToken);

    /// <summary>Observes a property and converts each value with <see cref="ThingClientOptions.SerializerOptions"/>.</summary>
    /// <typeparam name="T">The type to convert to.</typeparam>
    /// <param name="name">The property's name in the TD.</param>
    /// <param name="cancellationToken">Ends the observation.</param>
    /// <returns>The values, in the order the Thing sent them.</returns>
    /// <inheritdoc cref="ObservePropertyAsync(string, CancellationToken)" path="/exception"/>
    public async IAsyncEnumerable<T?> ObservePropertyAsync<T>(string name, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var value in ObservePropertyAsync(name, cancellationToken).ConfigureAwait(false))
        {
            yield return Convert<T>(value);
        }
    }

    /// <summary>
    /// Subscribes to an event: each occurrence's data, for as long as the caller enumerates. Uses the first
    /// <c>subscribeevent</c> form this client understands (see <see cref="ObservePropertyAsync(string, CancellationToken)"/>).
    /// </summary>
    /// <param name="name">The event's name in the TD.</param>
    /// <param name="cancellationToken">Ends the subscription (the enumeration then throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>Each occurrence's data, in order; ends when the Thing closes the connection.</returns>
    /// <exception cref="ArgumentException">The Thing has no such event.</exception>
    /// <exception cref="NotSupportedException">The event offers no subscription this client understands.</exception>
    /// <exception cref="ThingProblemException">The Thing refused the subscription.</exception>
    public IAsyncEnumerable<JsonElement> SubscribeEventAsync(string name, CancellationToken cancellationToken = default)
        => ObserveAsync("events", name, "subscribeevent", cancellationToken);

    /// <summary>Subscribes to an event and converts each occurrence's data with <see cref="ThingClientOptions.SerializerOptions"/>.</summary>
    /// <typeparam name="T">The type to convert to.</typeparam>
    /// <param name="name">The event's name in the TD.</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <returns>Each occurrence's data, in order.</returns>
    /// <inheritdoc cref="SubscribeEventAsync(string, CancellationToken)" path="/exception"/>
    public async IAsyncEnumerable<T?> SubscribeEventAsync<T>(string name, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var value in SubscribeEventAsync(name, cancellationToken).ConfigureAwait(false))
        {
            yield return Convert<T>(value);
        }
    }
}
