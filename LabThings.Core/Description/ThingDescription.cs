using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LabThings.Description;

/// <summary>A W3C Web of Things Thing Description (TD 1.1), as served at <c>GET /{thing}/</c>.</summary>
/// <remarks>Serialize with <see cref="ThingDescriptionJson.Options"/>; the media type is <see cref="ThingDescriptionJson.MediaType"/>.</remarks>
internal sealed record ThingDescription
{
    /// <summary>The TD 1.1 context URI.</summary>
    public const string Td11Context = "https://www.w3.org/2022/wot/td/v1.1";

    /// <summary>
    /// The JSON-LD context: the TD 1.1 context URI, or an array of it and an object of the Thing's own prefixes
    /// (<see cref="ThingContextAttribute"/>).
    /// </summary>
    [JsonPropertyName("@context")]
    public JsonNode Context { get; init; } = Td11Context;

    /// <summary>The Thing's semantic types (a string, or an array of several), or null.</summary>
    [JsonPropertyName("@type")]
    public JsonNode? SemanticType { get; init; }

    /// <summary>An identifier for the Thing (a URI), or null.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    /// <summary>The Thing's title.</summary>
    [JsonPropertyName("title")]
    public required string Title { get; init; }

    /// <summary>The Thing's description, or null.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>The absolute URL every relative <c>href</c> is resolved against (the Thing's URL, ending in <c>/</c>).</summary>
    [JsonPropertyName("base")]
    public string? Base { get; init; }

    /// <summary>Named security schemes: what the server is configured to accept (<c>nosec</c> when it asks for nothing).</summary>
    [JsonPropertyName("securityDefinitions")]
    public required IReadOnlyDictionary<string, SecurityScheme> SecurityDefinitions { get; init; }

    /// <summary>The names of the security schemes that apply to every form.</summary>
    [JsonPropertyName("security")]
    public required IReadOnlyList<string> Security { get; init; }

    /// <summary>Property affordances, by wire name.</summary>
    [JsonPropertyName("properties")]
    public IReadOnlyDictionary<string, PropertyAffordance>? Properties { get; init; }

    /// <summary>Action affordances, by wire name.</summary>
    [JsonPropertyName("actions")]
    public IReadOnlyDictionary<string, ActionAffordance>? Actions { get; init; }

    /// <summary>Event affordances, by wire name.</summary>
    [JsonPropertyName("events")]
    public IReadOnlyDictionary<string, EventAffordance>? Events { get; init; }

    /// <summary>Forms for operations on the whole Thing (<c>readallproperties</c>, <c>writemultipleproperties</c>, …).</summary>
    [JsonPropertyName("forms")]
    public IReadOnlyList<Form>? Forms { get; init; }

    /// <summary>Links to other resources (e.g. a stream's viewer page).</summary>
    [JsonPropertyName("links")]
    public IReadOnlyList<Link>? Links { get; init; }

    /// <summary>Data schemas that forms' <c>additionalResponses</c> name (the invocation, problem details).</summary>
    [JsonPropertyName("schemaDefinitions")]
    public IReadOnlyDictionary<string, JsonObject>? SchemaDefinitions { get; init; }
}

/// <summary>A security scheme of a Thing Description (TD 1.1 section 5.3.3).</summary>
internal sealed record SecurityScheme
{
    /// <summary>The scheme's kind: <c>nosec</c>, <c>basic</c>, <c>bearer</c> or <c>combo</c>.</summary>
    [JsonPropertyName("scheme")]
    public required string Scheme { get; init; }

    /// <summary>A description for people, or null.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Where the credentials go (<c>header</c>), or null.</summary>
    [JsonPropertyName("in")]
    public string? In { get; init; }

    /// <summary>The name of the header that carries the credentials, or null.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>A bearer token's format, e.g. <c>jwt</c>, or null.</summary>
    [JsonPropertyName("format")]
    public string? Format { get; init; }

    /// <summary>A bearer token's signing algorithm, e.g. <c>ES256</c>, or null.</summary>
    [JsonPropertyName("alg")]
    public string? Alg { get; init; }

    /// <summary>The URI of the authorization server that issues bearer tokens, or null.</summary>
    [JsonPropertyName("authorization")]
    public string? Authorization { get; init; }

    /// <summary>A combo scheme's alternatives (any one of them suffices), or null.</summary>
    [JsonPropertyName("oneOf")]
    public IReadOnlyList<string>? OneOf { get; init; }
}

/// <summary>A property affordance: a data schema (kept inline, as TDs require) plus metadata and forms.</summary>
internal sealed record PropertyAffordance
{
    /// <summary>The affordance's semantic types (a string, or an array of several), or null.</summary>
    [JsonPropertyName("@type")]
    public JsonNode? SemanticType { get; init; }

    /// <summary>A human-readable title.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>A description, or null.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Whether clients may only read the property.</summary>
    [JsonPropertyName("readOnly")]
    public bool ReadOnly { get; init; }

    /// <summary>Whether clients may only write the property.</summary>
    [JsonPropertyName("writeOnly")]
    public bool WriteOnly { get; init; }

    /// <summary>Whether clients can observe changes.</summary>
    [JsonPropertyName("observable")]
    public bool Observable { get; init; }

    /// <summary>How to read, write and observe the property.</summary>
    [JsonPropertyName("forms")]
    public required IReadOnlyList<Form> Forms { get; init; }

    /// <summary>The data schema's keywords (<c>type</c>, <c>minimum</c>, …), written inline next to the fields above.</summary>
    [JsonIgnore]
    public JsonObject? DataSchema { get; init; }

    /// <summary>The data schema's keywords as serialized: extension data, so they sit beside the affordance's own fields.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? DataSchemaMembers
        => DataSchema?.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value));
}

/// <summary>An action affordance: input and output data schemas, flags and forms.</summary>
internal sealed record ActionAffordance
{
    /// <summary>The affordance's semantic types (a string, or an array of several), or null.</summary>
    [JsonPropertyName("@type")]
    public JsonNode? SemanticType { get; init; }

    /// <summary>A human-readable title.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>A description, or null.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>The input's data schema (an object with one member per parameter), or null if the action takes none.</summary>
    [JsonPropertyName("input")]
    public JsonObject? Input { get; init; }

    /// <summary>The output's data schema, or null if the action returns nothing.</summary>
    [JsonPropertyName("output")]
    public JsonObject? Output { get; init; }

    /// <summary>Whether the action changes nothing.</summary>
    [JsonPropertyName("safe")]
    public bool Safe { get; init; }

    /// <summary>Whether repeating the action with the same input has the same effect.</summary>
    [JsonPropertyName("idempotent")]
    public bool Idempotent { get; init; }

    /// <summary>Variables of the forms' URI templates (the invocation <c>id</c> for querying and cancelling).</summary>
    [JsonPropertyName("uriVariables")]
    public JsonObject? UriVariables { get; init; }

    /// <summary>How to invoke, query and cancel the action.</summary>
    [JsonPropertyName("forms")]
    public required IReadOnlyList<Form> Forms { get; init; }
}

/// <summary>An event affordance: the payload's data schema and how to subscribe.</summary>
internal sealed record EventAffordance
{
    /// <summary>The affordance's semantic types (a string, or an array of several), or null.</summary>
    [JsonPropertyName("@type")]
    public JsonNode? SemanticType { get; init; }

    /// <summary>A human-readable title.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>A description, or null.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>The payload's data schema, or null if the event carries none.</summary>
    [JsonPropertyName("data")]
    public JsonObject? Data { get; init; }

    /// <summary>How to subscribe and unsubscribe.</summary>
    [JsonPropertyName("forms")]
    public required IReadOnlyList<Form> Forms { get; init; }
}

/// <summary>A form: how to perform an operation on an affordance over HTTP.</summary>
internal sealed record Form
{
    /// <summary>The target, relative to the TD's <c>base</c> or absolute.</summary>
    [JsonPropertyName("href")]
    public required string Href { get; init; }

    /// <summary>The operations this form performs, e.g. <c>readproperty</c>.</summary>
    [JsonPropertyName("op")]
    public required IReadOnlyList<string> Op { get; init; }

    /// <summary>The media type of the payload.</summary>
    [JsonPropertyName("contentType")]
    public string? ContentType { get; init; }

    /// <summary>The HTTP method, when it is not the binding's default for the operation.</summary>
    [JsonPropertyName("htv:methodName")]
    public string? MethodName { get; init; }

    /// <summary>What the response to this form looks like, when it differs from the request's content type.</summary>
    [JsonPropertyName("response")]
    public ExpectedResponse? Response { get; init; }

    /// <summary>A subprotocol such as <c>sse</c> or <c>longpoll</c>, or null.</summary>
    [JsonPropertyName("subprotocol")]
    public string? Subprotocol { get; init; }

    /// <summary>The security schemes of this form when they differ from the Thing's (e.g. <c>nosec</c> for reads open to all).</summary>
    [JsonPropertyName("security")]
    public IReadOnlyList<string>? Security { get; init; }

    /// <summary>Responses other than the default one (an invocation instead of the output, an error), or null.</summary>
    [JsonPropertyName("additionalResponses")]
    public IReadOnlyList<AdditionalResponse>? AdditionalResponses { get; init; }
}

/// <summary>The expected response of a form.</summary>
/// <param name="ContentType">The response's media type.</param>
internal sealed record ExpectedResponse([property: JsonPropertyName("contentType")] string ContentType);

/// <summary>A response a form may give besides its default one.</summary>
/// <param name="Success">Whether it reports success (an invocation to follow) or failure (problem details).</param>
/// <param name="ContentType">Its media type.</param>
/// <param name="Schema">The name of its data schema in the TD's <c>schemaDefinitions</c>.</param>
internal sealed record AdditionalResponse(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("contentType")] string ContentType,
    [property: JsonPropertyName("schema")] string Schema);

/// <summary>A link from a Thing Description to another resource.</summary>
internal sealed record Link
{
    /// <summary>The target, relative to the TD's <c>base</c> or absolute.</summary>
    [JsonPropertyName("href")]
    public required string Href { get; init; }

    /// <summary>The relation, e.g. <c>alternate</c>.</summary>
    [JsonPropertyName("rel")]
    public string? Rel { get; init; }

    /// <summary>The target's media type, e.g. <c>text/html</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>What the link is about (the link's context), when it is not the Thing itself.</summary>
    [JsonPropertyName("anchor")]
    public string? Anchor { get; init; }
}
