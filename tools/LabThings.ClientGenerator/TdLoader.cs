using System.Net.Http.Headers;
using System.Text.Json;

namespace LabThings.ClientGenerator;

/// <summary>A Thing Description and where it came from (a URL, or a file with the entry's name).</summary>
internal sealed record LoadedTd(string Source, JsonElement Description);

/// <summary>A source that could not be used: its message names it; <see cref="ExitCode"/> says why.</summary>
internal sealed class SourceException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// Reads Thing Descriptions from URLs and files. A source may be one TD, a server's Thing listing (an object of names
/// and TD URLs, as LabThings' <c>/things/</c>, or an array of URLs, as node-wot's root), or several TDs (an object of
/// names and TDs, as <c>/thing_descriptions/</c>, or an array of TDs).
/// </summary>
/// <remarks>
/// <paramref name="authorization"/> is sent only to the origins the user named (a source URL, or a URL listed in a source
/// file), so that a server's listing cannot send the user's credentials to another host.
/// </remarks>
internal sealed class TdLoader(HttpClient http, AuthenticationHeaderValue? authorization = null)
{
    private readonly HashSet<string> _trustedOrigins = new(StringComparer.OrdinalIgnoreCase);

    private static readonly string[] ProblemMembers = ["title", "detail"];

    /// <summary>The TDs a source holds or lists.</summary>
    /// <exception cref="SourceException">The source cannot be read, or holds neither TDs nor a listing of them.</exception>
    public async Task<List<LoadedTd>> LoadAsync(string source, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            _trustedOrigins.Add(Origin(url));
            return await FromJsonAsync(await GetAsync(url, cancellationToken).ConfigureAwait(false), source, url, cancellationToken).ConfigureAwait(false);
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(source, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SourceException($"{source}: cannot read the file ({e.Message})", ExitCodes.Unreachable);
        }

        return await FromJsonAsync(Parse(text, source), source, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<LoadedTd>> FromJsonAsync(JsonElement json, string source, Uri? baseUrl, CancellationToken cancellationToken)
    {
        if (TdCheck.LooksLikeTd(json))
        {
            return [new LoadedTd(source, json)];
        }

        // A listing: names (or nothing) and the URLs of TDs.
        var urls = json.ValueKind switch
        {
            JsonValueKind.Object when json.EnumerateObject().Any() && json.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String) =>
                json.EnumerateObject().Select(p => p.Value.GetString()!).ToList(),
            JsonValueKind.Array when json.GetArrayLength() > 0 && json.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                json.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => null,
        };
        if (urls is not null)
        {
            var result = new List<LoadedTd>();
            foreach (var entry in urls)
            {
                var resolved = baseUrl is null ? Uri.TryCreate(entry, UriKind.Absolute, out var url) : Uri.TryCreate(baseUrl, entry, out url);
                if (!resolved || url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    throw new SourceException($"{source}: the listed '{entry}' is not an HTTP URL", ExitCodes.InvalidDescription);
                }

                if (baseUrl is null)
                {
                    // Listed in a file the user gave: the user named this origin.
                    _trustedOrigins.Add(Origin(url));
                }

                var td = await GetAsync(url, cancellationToken).ConfigureAwait(false);
                if (!TdCheck.LooksLikeTd(td))
                {
                    throw new SourceException($"{url}: not a Thing Description (listed by {source})", ExitCodes.InvalidDescription);
                }

                result.Add(new LoadedTd(url.ToString(), td));
            }

            return result;
        }

        // Several TDs.
        var descriptions = json.ValueKind switch
        {
            JsonValueKind.Object when json.EnumerateObject().Any() && json.EnumerateObject().All(p => TdCheck.LooksLikeTd(p.Value)) =>
                json.EnumerateObject().Select(p => new LoadedTd($"{source} ({p.Name})", p.Value)).ToList(),
            JsonValueKind.Array when json.GetArrayLength() > 0 && json.EnumerateArray().All(TdCheck.LooksLikeTd) =>
                json.EnumerateArray().Select((e, i) => new LoadedTd($"{source} [{i}]", e)).ToList(),
            _ => null,
        };
        return descriptions
            ?? throw new SourceException($"{source}: neither a Thing Description (no '@context', or no 'title' with properties, actions or events) nor a list of Things", ExitCodes.InvalidDescription);
    }

    private async Task<JsonElement> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/td+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json", 0.9));
        if (authorization is not null && _trustedOrigins.Contains(Origin(url)))
        {
            request.Headers.Authorization = authorization;
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new SourceException($"{url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}{ProblemText(text)}{CredentialsHint(response.StatusCode)}", ExitCodes.Unreachable);
            }

            return Parse(text, url.ToString());
        }
        catch (HttpRequestException e)
        {
            throw new SourceException($"{url}: cannot reach the server ({e.Message})", ExitCodes.Unreachable);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"{url}: no answer within {http.Timeout.TotalSeconds:0.#} s", ExitCodes.Unreachable);
        }
    }

    private string CredentialsHint(System.Net.HttpStatusCode status)
        => status == System.Net.HttpStatusCode.Unauthorized && authorization is null
            ? " (give --user with --password or LABTHINGS_PASSWORD, or --token or LABTHINGS_TOKEN)"
            : "";

    private static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);

    private static JsonElement Parse(string text, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new SourceException($"{source}: not JSON ({e.Message})", ExitCodes.InvalidDescription);
        }
    }

    /// <summary>": title: detail" from a problem-details body, or nothing.</summary>
    private static string ProblemText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var parts = ProblemMembers
                .Select(n => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
                .OfType<string>()
                .ToList();
            return parts.Count == 0 ? "" : ": " + string.Join(": ", parts);
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
