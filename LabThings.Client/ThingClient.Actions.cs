using System.Net;
using System.Text.Json;
using LabThings.Client.Internal;

namespace LabThings.Client;

public sealed partial class ThingClient
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Invokes an action and returns its output. The form: when the action has a <c>queryaction</c> or
    /// <c>cancelaction</c> form, the first <c>invokeaction</c> form that describes a successful additional
    /// response (an invocation to query); otherwise the first <c>invokeaction</c> form. When the Thing answers
    /// with the output (200, or 204 for none) that is the result. When it answers 201 or 202 with an invocation
    /// (<c>status</c>, with <c>href</c>, <c>id</c> or a <c>Location</c> header), the client polls it through the
    /// <c>queryaction</c> form (or its href) until it ends, reporting its <c>progress</c> (0 to 1) when the
    /// Thing sends one; cancelling <paramref name="cancellationToken"/> then cancels the invocation through the
    /// <c>cancelaction</c> form (or DELETE on its href).
    /// </summary>
    /// <param name="name">The action's name in the TD.</param>
    /// <param name="input">The input, converted with <see cref="ThingClientOptions.SerializerOptions"/> (a <see cref="JsonElement"/> is sent as it is). When null, an action whose input is an object gets <c>{}</c> and any other gets no body.</param>
    /// <param name="progress">Told the invocation's progress, from 0 to 1, each time a poll finds it changed.</param>
    /// <param name="cancellationToken">Cancels the request, and a polled invocation on the Thing.</param>
    /// <returns>The output; JSON null for none. A LabThings blob output is a link (<c>{"href", "media_type"}</c>): fetch it with <see cref="DownloadAsync(JsonElement, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentException">The Thing has no such action.</exception>
    /// <exception cref="NotSupportedException">The action has no HTTP <c>invokeaction</c> form.</exception>
    /// <exception cref="ThingProblemException">The Thing refused the invocation (invalid input, say) or a poll failed.</exception>
    /// <exception cref="ThingActionException">The invocation ended with an error, or was cancelled by someone else.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<JsonElement> InvokeActionAsync(string name, object? input = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var action = Affordance("actions", name);
        var invokeForms = HttpForms("actions", name, action, "invokeaction");
        if (invokeForms.Count == 0)
        {
            throw new NotSupportedException($"The action '{name}' of '{Title}' has no HTTP form for 'invokeaction'.");
        }

        var queryForm = HttpForms("actions", name, action, "queryaction").FirstOrDefault();
        var cancelForm = HttpForms("actions", name, action, "cancelaction").FirstOrDefault();
        var form = queryForm is not null || cancelForm is not null
            ? invokeForms.FirstOrDefault(f => f.AnswersWithInvocation) ?? invokeForms[0]
            : invokeForms[0];

        HttpContent? content = null;
        if (input is not null)
        {
            content = JsonContent(input, TdForm.IsJson(form.ContentType) ? form.ContentType : "application/json");
        }
        else if (action.TryGetProperty("input", out var schema) && JsonText.String(schema, "type") == "object")
        {
            content = JsonContent(new Dictionary<string, object>(), TdForm.IsJson(form.ContentType) ? form.ContentType : "application/json");
        }

        var uri = form.Resolve(_base);
        using var response = await SendAsync(form.Method("invokeaction"), uri, form, content, form.ExpectedResponseType, HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
        var value = await ReadValueAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Accepted)
            || value.ValueKind != JsonValueKind.Object
            || JsonText.String(value, "status") is null)
        {
            return value;
        }

        var href = JsonText.String(value, "href") is { } h ? new Uri(uri, h) : response.Headers.Location is { } location ? new Uri(uri, location) : null;
        var id = JsonText.String(value, "id");
        var variables = id is null ? null : new Dictionary<string, string>(StringComparer.Ordinal) { ["id"] = id };
        var query = queryForm is not null && id is not null ? queryForm.Resolve(_base, variables) : href;
        if (query is null)
        {
            // An invocation without any way to follow it: all the Thing gave is this object.
            return value;
        }

        var cancel = cancelForm is not null && id is not null ? cancelForm.Resolve(_base, variables) : href;
        return await FollowAsync(name, value, queryForm, query, cancelForm, cancel, href, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Invokes an action and converts its output with <see cref="ThingClientOptions.SerializerOptions"/>.</summary>
    /// <typeparam name="T">The type to convert the output to.</typeparam>
    /// <param name="name">The action's name in the TD.</param>
    /// <param name="input">The input; see <see cref="InvokeActionAsync(string, object?, IProgress{double}?, CancellationToken)"/>.</param>
    /// <param name="progress">Told the invocation's progress, from 0 to 1.</param>
    /// <param name="cancellationToken">Cancels the request, and a polled invocation on the Thing.</param>
    /// <returns>The output; default for none.</returns>
    /// <exception cref="JsonException">The output does not convert to <typeparamref name="T"/>.</exception>
    /// <inheritdoc cref="InvokeActionAsync(string, object?, IProgress{double}?, CancellationToken)" path="/exception"/>
    public async Task<T?> InvokeActionAsync<T>(string name, object? input = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
        => Convert<T>(await InvokeActionAsync(name, input, progress, cancellationToken).ConfigureAwait(false));

    private async Task<JsonElement> FollowAsync(
        string name, JsonElement invocation, TdForm? queryForm, Uri query, TdForm? cancelForm, Uri? cancel, Uri? href, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var delay = FirstPoll;
        double? reported = null;
        try
        {
            while (true)
            {
                if (progress is not null && invocation.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Number
                    && p.GetDouble() is var fraction && fraction != reported)
                {
                    reported = fraction;
                    progress.Report(fraction);
                }

                switch (JsonText.String(invocation, "status"))
                {
                    case "completed":
                        return invocation.TryGetProperty("output", out var output) ? output : Null;
                    case "error" or "failed" or "cancelled":
                        var error = invocation.TryGetProperty("error", out var e) ? e : default;
                        throw new ThingActionException(
                            name,
                            JsonText.String(invocation, "status")!,
                            JsonText.String(error, "title"),
                            JsonText.String(error, "detail") ?? JsonText.String(error, "message"),
                            href);
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxPollInterval.Ticks));
                using var response = await SendAsync(
                    queryForm?.Method("queryaction") ?? HttpMethod.Get, query, queryForm, null, "application/json", HttpCompletionOption.ResponseContentRead, cancellationToken)
                    .ConfigureAwait(false);
                invocation = await ReadValueAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && cancel is not null)
        {
            await CancelInvocationAsync(cancelForm, cancel).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Asks the Thing to cancel an invocation; a refusal (it has finished, say) is not an error here.</summary>
    private async Task CancelInvocationAsync(TdForm? cancelForm, Uri cancel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            using var response = await SendAsync(
                cancelForm?.Method("cancelaction") ?? HttpMethod.Delete, cancel, cancelForm, null, null, HttpCompletionOption.ResponseContentRead, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ThingProblemException or HttpRequestException or OperationCanceledException)
        {
            // The caller's cancellation stands whatever the Thing answered.
        }
    }
}
