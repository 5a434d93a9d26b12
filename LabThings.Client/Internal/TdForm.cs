using System.Text;
using System.Text.Json;

namespace LabThings.Client.Internal;

/// <summary>One form of a TD affordance, read once: what a request needs from it.</summary>
internal sealed class TdForm
{
    private TdForm(JsonElement json, string href, IReadOnlyList<string> ops)
    {
        Json = json;
        Href = href;
        Ops = ops;
        MethodName = Text(json, "htv:methodName");
        ContentType = Text(json, "contentType") ?? "application/json";
        Subprotocol = Text(json, "subprotocol");
        ResponseContentType = json.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
            ? Text(response, "contentType")
            : null;
        AnswersWithInvocation = json.TryGetProperty("additionalResponses", out var additional)
            && additional.ValueKind == JsonValueKind.Array
            && additional.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.Object
                && r.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True);
        Security = json.TryGetProperty("security", out var security) ? Names(security) : null;
    }

    /// <summary>The form as the TD gives it.</summary>
    public JsonElement Json { get; }

    /// <summary>The href as written, possibly relative and possibly a URI template.</summary>
    public string Href { get; }

    /// <summary>The operations the form serves.</summary>
    public IReadOnlyList<string> Ops { get; }

    /// <summary><c>htv:methodName</c>, or null for the binding's default.</summary>
    public string? MethodName { get; }

    /// <summary>The request's content type (the TD default, <c>application/json</c>, when absent).</summary>
    public string ContentType { get; }

    /// <summary>The form's subprotocol (<c>sse</c>, <c>longpoll</c>, <c>webthingprotocol</c>, …), or null.</summary>
    public string? Subprotocol { get; }

    /// <summary><c>response.contentType</c>, or null when the response has the request's content type.</summary>
    public string? ResponseContentType { get; }

    /// <summary>The form lists a successful additional response: for an invokeaction form, an invocation to query.</summary>
    public bool AnswersWithInvocation { get; }

    /// <summary>The form's own <c>security</c> names, or null to use the TD's.</summary>
    public IReadOnlyList<string>? Security { get; }

    /// <summary>The media type a successful response carries.</summary>
    public string ExpectedResponseType => ResponseContentType ?? ContentType;

    /// <summary>The forms of an affordance, with the TD's default operations filled in where <c>op</c> is absent.</summary>
    public static IReadOnlyList<TdForm> Read(JsonElement affordance, string[] defaultOps)
    {
        if (!affordance.TryGetProperty("forms", out var forms) || forms.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<TdForm>();
        foreach (var form in forms.EnumerateArray())
        {
            if (form.ValueKind != JsonValueKind.Object || Text(form, "href") is not { } href)
            {
                continue;
            }

            var ops = form.TryGetProperty("op", out var op) ? Names(op) : defaultOps;
            list.Add(new TdForm(form, href, ops));
        }

        return list;
    }

    /// <summary>The HTTP method: <c>htv:methodName</c>, or the HTTP binding's default for <paramref name="op"/>.</summary>
    public HttpMethod Method(string op) => MethodName is { } name
        ? new HttpMethod(name.ToUpperInvariant())
        : op switch
        {
            "writeproperty" or "writemultipleproperties" or "writeallproperties" => HttpMethod.Put,
            "invokeaction" => HttpMethod.Post,
            "cancelaction" or "unobserveproperty" or "unsubscribeevent" => HttpMethod.Delete,
            _ => HttpMethod.Get,
        };

    /// <summary>The absolute URL: the href with its URI variables expanded (RFC 6570 simple expansion), against <paramref name="baseUri"/>.</summary>
    /// <exception cref="InvalidOperationException">The href is relative and there is no base, or a variable has no value.</exception>
    public Uri Resolve(Uri? baseUri, IReadOnlyDictionary<string, string>? variables = null)
    {
        var expanded = Expand(Href, variables);
        if (Uri.TryCreate(expanded, UriKind.Absolute, out var absolute) && absolute.Scheme.Length > 1)
        {
            return absolute;
        }

        return baseUri is null
            ? throw new InvalidOperationException($"The form's href '{Href}' is relative and the Thing Description has no base.")
            : new Uri(baseUri, expanded);
    }

    /// <summary>The form's media type is JSON (<c>application/json</c> or <c>…+json</c>).</summary>
    public static bool IsJson(string? contentType)
    {
        var mediaType = MediaType(contentType);
        return mediaType.Length == 0 || mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);
    }

    /// <summary>The media type without parameters, lower case.</summary>
    public static string MediaType(string? contentType)
        => (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();

    private static string Expand(string href, IReadOnlyDictionary<string, string>? variables)
    {
        if (!href.Contains('{', StringComparison.Ordinal))
        {
            return href;
        }

        var result = new StringBuilder();
        var position = 0;
        while (position < href.Length)
        {
            var open = href.IndexOf('{', position);
            if (open < 0)
            {
                result.Append(href, position, href.Length - position);
                break;
            }

            var close = href.IndexOf('}', open);
            if (close < 0)
            {
                throw new InvalidOperationException($"The form's href '{href}' has an unclosed URI template expression.");
            }

            result.Append(href, position, open - position);
            var expression = href[(open + 1)..close];
            var query = expression.StartsWith('?');
            var names = expression.TrimStart('?', '&').Split(',');
            var parts = new List<string>();
            foreach (var name in names)
            {
                if (variables is not null && variables.TryGetValue(name, out var value))
                {
                    parts.Add(query ? $"{name}={Uri.EscapeDataString(value)}" : Uri.EscapeDataString(value));
                }
                else if (!query)
                {
                    throw new InvalidOperationException($"The form's href '{href}' needs a value for the URI variable '{name}'.");
                }
            }

            if (parts.Count > 0)
            {
                result.Append(query ? "?" : "").Append(string.Join(query ? "&" : ",", parts));
            }

            position = close + 1;
        }

        return result.ToString();
    }

    private static string? Text(JsonElement json, string name)
        => json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[] Names(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray(),
        _ => [],
    };
}
