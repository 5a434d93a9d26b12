using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LabThings.Client.Internal;

namespace LabThings.Client;

/// <summary>
/// A client for one W3C Web of Things Thing (TD 1.1, HTTP binding), driven only by its Thing Description: every
/// request follows the form the TD offers for the operation (its <c>base</c> and <c>href</c>, <c>op</c>,
/// <c>htv:methodName</c>, <c>contentType</c>, <c>response</c> and <c>subprotocol</c>). It works with any
/// such Thing, not only LabThings ones.
/// </summary>
/// <remarks>
/// <para>Values are <see cref="JsonElement"/>s; the generic overloads convert them with
/// <see cref="ThingClientOptions.SerializerOptions"/>. A response that is not JSON becomes a JSON string: text as
/// it is, anything else (a JPEG snapshot, say) as base64, as a TD describes binary data in a string schema with
/// <c>contentEncoding: base64</c>.</para>
/// <para>Errors: an unknown affordance name throws <see cref="ArgumentException"/>; an affordance without a form
/// this client can use throws <see cref="NotSupportedException"/>; an error status from the Thing throws
/// <see cref="ThingProblemException"/>; an action that fails throws <see cref="ThingActionException"/>; a Thing that
/// cannot be reached throws <see cref="HttpRequestException"/>, as <see cref="HttpClient"/> does.</para>
/// <para>Thread-safe: operations may run concurrently. Dispose it to release the <see cref="HttpClient"/> it
/// created (one passed in is left to its owner).</para>
/// </remarks>
public sealed partial class ThingClient : IDisposable
{
    private static readonly string[] PropertyOps = ["readproperty", "writeproperty"];
    private static readonly string[] ActionOps = ["invokeaction"];
    private static readonly string[] EventOps = ["subscribeevent", "unsubscribeevent"];

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ThingClientOptions _options;
    private readonly Uri? _base;
    private readonly Dictionary<string, string[]> _schemes = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _security;

    private ThingClient(JsonElement description, Uri? documentUrl, HttpClient? httpClient, ThingClientOptions? options, bool ownsHttp = false)
    {
        if (description.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A Thing Description must be a JSON object.", nameof(description));
        }

        Description = description;
        _options = options ?? new ThingClientOptions();
        _ownsHttp = httpClient is null || ownsHttp;
        _http = httpClient ?? new HttpClient();
        _base = BaseOf(description, documentUrl);
        Title = JsonText.String(description, "title") ?? "";
        Properties = Names(description, "properties");
        Actions = Names(description, "actions");
        Events = Names(description, "events");
        if (description.TryGetProperty("securityDefinitions", out var definitions) && definitions.ValueKind == JsonValueKind.Object)
        {
            foreach (var definition in definitions.EnumerateObject())
            {
                _schemes[definition.Name] = SchemesOf(definitions, definition.Name, 0).ToArray();
            }
        }

        _security = description.TryGetProperty("security", out var security) ? StringsOf(security) : [];
    }

    /// <summary>The Thing Description this client follows.</summary>
    public JsonElement Description { get; }

    /// <summary>The TD's <c>title</c> (empty if it has none).</summary>
    public string Title { get; }

    /// <summary>The names of the Thing's properties, in the TD's order.</summary>
    public IReadOnlyList<string> Properties { get; }

    /// <summary>The names of the Thing's actions, in the TD's order.</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary>The names of the Thing's events, in the TD's order.</summary>
    public IReadOnlyList<string> Events { get; }

    /// <summary>Downloads a Thing Description (<c>Accept: application/td+json</c>) and returns a client for it.</summary>
    /// <param name="url">The TD's URL, such as <c>http://127.0.0.1:5000/camera/</c>; relative hrefs are resolved against the TD's <c>base</c>, or this URL when it has none.</param>
    /// <param name="httpClient">The client to send every request with; a new one (disposed with this client) when null.</param>
    /// <param name="options">Credentials and other settings; the defaults when null.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ThingProblemException">The server answered with an error status.</exception>
    /// <exception cref="JsonException">The answer is not JSON.</exception>
    /// <exception cref="ArgumentException">The answer is JSON but not an object.</exception>
    public static async Task<ThingClient> FromUrlAsync(Uri url, HttpClient? httpClient = null, ThingClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var http = httpClient ?? new HttpClient();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/td+json");
            request.Headers.Accept.ParseAdd("application/json;q=0.9");
            if (options?.Credentials is { } credentials)
            {
                request.Headers.Authorization = credentials.AuthorizationHeader;
            }

            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await Problems.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(bytes);
            var documentUrl = response.RequestMessage?.RequestUri ?? url;
            return new ThingClient(document.RootElement.Clone(), documentUrl, http, options, ownsHttp: httpClient is null);
        }
        catch when (httpClient is null)
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Returns a client for a Thing Description given as JSON text.</summary>
    /// <param name="thingDescription">The TD.</param>
    /// <param name="documentUrl">Where the TD came from: relative hrefs are resolved against its <c>base</c>, or this URL when it has none. May be null when every href is absolute.</param>
    /// <param name="httpClient">The client to send every request with; a new one (disposed with this client) when null.</param>
    /// <param name="options">Credentials and other settings; the defaults when null.</param>
    /// <returns>The client.</returns>
    /// <exception cref="JsonException"><paramref name="thingDescription"/> is not JSON.</exception>
    /// <exception cref="ArgumentException"><paramref name="thingDescription"/> is not a JSON object.</exception>
    public static ThingClient FromDescription(string thingDescription, Uri? documentUrl = null, HttpClient? httpClient = null, ThingClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(thingDescription);
        using var document = JsonDocument.Parse(thingDescription);
        return new ThingClient(document.RootElement.Clone(), documentUrl, httpClient, options);
    }

    /// <summary>Disposes the <see cref="HttpClient"/> if this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private JsonElement Affordance(string kind, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Description.TryGetProperty(kind, out var all) && all.ValueKind == JsonValueKind.Object
            && all.TryGetProperty(name, out var affordance) && affordance.ValueKind == JsonValueKind.Object)
        {
            return affordance;
        }

        var singular = kind.TrimEnd('s');
        throw new ArgumentException($"The Thing '{Title}' has no {singular} named '{name}'.", nameof(name));
    }

    /// <summary>The forms of an affordance that serve <paramref name="op"/> over HTTP(S), JSON forms first.</summary>
    private List<TdForm> HttpForms(string kind, string name, JsonElement affordance, string op)
    {
        var defaults = kind switch
        {
            "actions" => ActionOps,
            "events" => EventOps,
            _ => DefaultPropertyOps(affordance),
        };
        return TdForm.Read(affordance, defaults)
            .Where(f => f.Ops.Contains(op) && IsHttp(f.Resolve(_base, Placeholders(f))))
            .OrderBy(f => TdForm.IsJson(f.ContentType) ? 0 : 1)
            .ToList();
    }

    private TdForm FirstHttpForm(string kind, string name, JsonElement affordance, string op)
        => HttpForms(kind, name, affordance, op).FirstOrDefault()
            ?? throw new NotSupportedException($"The {kind.TrimEnd('s')} '{name}' of '{Title}' has no HTTP form for '{op}'.");

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, Uri uri, TdForm? form, HttpContent? content, string? accept, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        if (accept is not null)
        {
            request.Headers.Accept.TryParseAdd(accept);
        }

        if (CredentialsFor(form, uri) is { } header)
        {
            request.Headers.Authorization = header;
        }

        var response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await Problems.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The Authorization header for a request, when credentials are configured and the form's (or else the TD's) security names their scheme.</summary>
    private AuthenticationHeaderValue? CredentialsFor(TdForm? form, Uri uri)
    {
        if (_options.Credentials is not { } credentials)
        {
            return null;
        }

        // A URL that is no form's (an invocation or blob link the Thing handed out) gets the TD's own security, and
        // only on the Thing's origin: credentials never go to another host.
        if (form is null && (_base is null || Uri.Compare(_base, uri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0))
        {
            return null;
        }

        var names = form?.Security ?? _security;
        return names.Any(n => _schemes.TryGetValue(n, out var schemes) && schemes.Contains(credentials.Scheme, StringComparer.Ordinal))
            ? credentials.AuthorizationHeader
            : null;
    }

    /// <summary>A successful response's body as a JSON value (null for none; a string for text; base64 for other bytes).</summary>
    private static async Task<JsonElement> ReadValueAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return ToValue(bytes, response.Content.Headers.ContentType?.MediaType);
    }

    private static JsonElement ToValue(ReadOnlySpan<byte> bytes, string? mediaType)
    {
        if (bytes.IsEmpty)
        {
            return Null;
        }

        if (TdForm.IsJson(mediaType))
        {
            var reader = new Utf8JsonReader(bytes);
            return JsonElement.ParseValue(ref reader);
        }

        var text = TdForm.MediaType(mediaType).StartsWith("text/", StringComparison.Ordinal)
            ? Encoding.UTF8.GetString(bytes)
            : System.Convert.ToBase64String(bytes);
        return JsonSerializer.SerializeToElement(text);
    }

    private static JsonElement Null { get; } = JsonSerializer.SerializeToElement<object?>(null);

    private T? Convert<T>(JsonElement value)
        => value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? default : value.Deserialize<T>(_options.SerializerOptions);

    private ByteArrayContent JsonContent<T>(T value, string contentType)
    {
        var bytes = value is JsonElement element
            ? Encoding.UTF8.GetBytes(element.GetRawText())
            : JsonSerializer.SerializeToUtf8Bytes(value, value?.GetType() ?? typeof(T), _options.SerializerOptions);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed : new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static bool IsHttp(Uri uri) => uri.Scheme is "http" or "https";

    /// <summary>Stand-in values for URI variables, so a templated href can be checked for its scheme.</summary>
    private static Dictionary<string, string>? Placeholders(TdForm form)
    {
        if (!form.Href.Contains('{', StringComparison.Ordinal))
        {
            return null;
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        while ((position = form.Href.IndexOf('{', position)) >= 0)
        {
            var close = form.Href.IndexOf('}', position);
            if (close < 0)
            {
                break;
            }

            foreach (var variable in form.Href[(position + 1)..close].TrimStart('?', '&').Split(','))
            {
                names[variable] = "x";
            }

            position = close;
        }

        return names;
    }

    private static string[] DefaultPropertyOps(JsonElement property)
    {
        var readOnly = property.TryGetProperty("readOnly", out var r) && r.ValueKind == JsonValueKind.True;
        var writeOnly = property.TryGetProperty("writeOnly", out var w) && w.ValueKind == JsonValueKind.True;
        return readOnly ? ["readproperty"] : writeOnly ? ["writeproperty"] : PropertyOps;
    }

    private static Uri? BaseOf(JsonElement description, Uri? documentUrl)
    {
        if (JsonText.String(description, "base") is { } text)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var absolute) && absolute.Scheme.Length > 1)
            {
                return absolute;
            }

            if (documentUrl is not null)
            {
                return new Uri(documentUrl, text);
            }
        }

        return documentUrl;
    }

    private static string[] Names(JsonElement description, string kind)
        => description.TryGetProperty(kind, out var all) && all.ValueKind == JsonValueKind.Object
            ? all.EnumerateObject().Select(p => p.Name).ToArray()
            : [];

    private static string[] StringsOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray(),
        _ => [],
    };

    /// <summary>The schemes a security definition stands for: its own, or for a <c>combo</c>, those of each definition it combines.</summary>
    private static IEnumerable<string> SchemesOf(JsonElement definitions, string name, int depth)
    {
        if (depth > 8 || !definitions.TryGetProperty(name, out var definition) || JsonText.String(definition, "scheme") is not { } scheme)
        {
            yield break;
        }

        if (scheme != "combo")
        {
            yield return scheme.ToLowerInvariant();
            yield break;
        }

        foreach (var member in new[] { "oneOf", "allOf" })
        {
            if (definition.TryGetProperty(member, out var parts))
            {
                foreach (var part in StringsOf(parts).SelectMany(p => SchemesOf(definitions, p, depth + 1)))
                {
                    yield return part;
                }
            }
        }
    }
}
