using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Outputs;
using LabThings.Schema;

namespace LabThings.Description;

/// <summary>Builds a Thing's <see cref="ThingDescription"/> from its <see cref="ThingDefinition"/> (never from reflection).</summary>
internal static class ThingDescriptionBuilder
{
    /// <summary>The subprotocol name of the WebSocket forms (the Web Thing Protocol, which labthings-fastapi's messages follow).</summary>
    internal const string WebSocketSubprotocol = "webthingprotocol";

    /// <summary>The subprotocol name of an MJPEG stream's observe form: a multipart/x-mixed-replace response that never ends.</summary>
    internal const string StreamSubprotocol = "mjpeg";

    /// <summary>The link relation from a Thing to a Thing it uses through a slot.</summary>
    public const string UsesRelation = "uses";

    /// <summary>The media type of a Thing Description: <c>application/td+json</c>.</summary>
    public const string MediaType = ThingDescriptionJson.MediaType;

    /// <summary>The Thing Description of <paramref name="thing"/> as UTF-8 JSON; see <see cref="Build"/>.</summary>
    /// <exception cref="InvalidOperationException">The Thing is not attached to a host.</exception>
    public static byte[] BuildJson(Thing thing, Uri applicationBase, TdSecurity? security = null, IReadOnlyList<string>? uses = null)
        => JsonSerializer.SerializeToUtf8Bytes(Build(thing, applicationBase, security, uses), ThingDescriptionJson.Options);

    /// <summary>Describes <paramref name="thing"/> as served under <paramref name="applicationBase"/>.</summary>
    /// <param name="thing">An attached Thing (its name, its definition, and the defaults of its data properties).</param>
    /// <param name="applicationBase">The absolute URL of the application root, e.g. <c>http://127.0.0.1:5000/</c>.</param>
    /// <param name="security">What the server asks of clients; <see cref="TdSecurity.None"/> when null.</param>
    /// <param name="uses">The names of the Things this one uses (its slots), linked with the relation <c>uses</c>.</param>
    /// <returns>The Thing Description; its <c>base</c> is the Thing's absolute URL.</returns>
    /// <exception cref="InvalidOperationException">The Thing is not attached to a host.</exception>
    public static ThingDescription Build(Thing thing, Uri applicationBase, TdSecurity? security = null, IReadOnlyList<string>? uses = null)
    {
        security ??= TdSecurity.None;
        var thingName = thing.Name ?? throw new InvalidOperationException($"This {thing.GetType().Name} is not attached to a server, so it has no URL to describe.");
        var definition = thing.Definition;
        var thingUrl = new Uri(applicationBase, ThingPaths.Thing(thingName).TrimStart('/'));
        var properties = new Dictionary<string, PropertyAffordance>(StringComparer.Ordinal);
        var links = new List<Link>();
        var webSocket = WebSocketUrl(applicationBase, thingName);
        foreach (var property in definition.Properties)
        {
            var affordance = Property(thing, property, webSocket, security.LongPollFirst);
            properties[property.Name] = affordance with { Forms = security.Apply(property, affordance.Forms), SemanticType = SemanticType(property.SemanticTypes) };
        }

        var actions = definition.Actions.ToDictionary(a => a.Name, a => Secured(Action(a), a, security), StringComparer.Ordinal);
        var events = definition.Events.ToDictionary(e => e.Name, e => Secured(Event(e, webSocket, security.LongPollFirst), e, security), StringComparer.Ordinal);

        foreach (var stream in definition.Streams)
        {
            var streamProperty = StreamProperty(stream);
            properties[stream.Name] = streamProperty with { Forms = security.Apply(stream, streamProperty.Forms), SemanticType = SemanticType(stream.SemanticTypes) };
            links.Add(new Link
            {
                Href = ThingPaths.RelativeViewer(stream.Name),
                Rel = "alternate",
                Type = "text/html",
                Anchor = ThingPaths.RelativeAffordance(stream.Name),
            });
        }

        foreach (var used in uses ?? [])
        {
            links.Add(new Link
            {
                Href = new Uri(applicationBase, ThingPaths.Thing(used).TrimStart('/')).AbsoluteUri,
                Rel = UsesRelation,
                Type = ThingDescriptionJson.MediaType,
            });
        }

        // Whole-Thing property operations, when the Thing has data properties (streams are not among them).
        IReadOnlyList<Form>? thingForms = definition.Properties.Length == 0 ? null : security.Apply(null,
        [
            new Form { Href = ThingPaths.PropertiesSegment, Op = ["readallproperties", "readmultipleproperties"], ContentType = "application/json", MethodName = "GET" },
            new Form { Href = ThingPaths.PropertiesSegment, Op = ["writemultipleproperties"], ContentType = "application/json", MethodName = "PUT" },
        ]);

        return new ThingDescription
        {
            Context = Context(definition),
            SemanticType = SemanticType(definition.SemanticTypes),
            Id = $"urn:labthings:{thingName}",
            Forms = thingForms,
            Title = definition.Title,
            Description = definition.Description,
            Base = thingUrl.AbsoluteUri,
            SecurityDefinitions = security.Definitions,
            Security = security.Security,
            // Always present, empty or not: labthings-fastapi's Python ThingClient.from_url reads "properties" and
            // "actions" without checking that they exist.
            Properties = properties,
            Actions = actions,
            Events = events,
            Links = links.Count > 0 ? links : null,
            SchemaDefinitions = ResponseSchemas.For(definition),
        };
    }

    /// <summary>
    /// The TD 1.1 context URI alone, or (when the Thing declares prefixes) an array of it and an object of the prefixes:
    /// TD 1.1 requires its context first.
    /// </summary>
    private static JsonNode Context(ThingDefinition definition)
    {
        if (definition.SemanticContext.Count == 0)
        {
            return ThingDescription.Td11Context;
        }

        var prefixes = new JsonObject();
        foreach (var (prefix, iri) in definition.SemanticContext)
        {
            prefixes[prefix] = iri;
        }

        return new JsonArray(ThingDescription.Td11Context, prefixes);
    }

    /// <summary>An <c>@type</c>: null for none, a string for one, an array for several.</summary>
    private static JsonNode? SemanticType(IReadOnlyList<string> types) => types.Count switch
    {
        0 => null,
        1 => JsonValue.Create(types[0]),
        _ => new JsonArray([.. types.Select(t => (JsonNode?)JsonValue.Create(t))]),
    };

    private static ActionAffordance Secured(ActionAffordance affordance, ActionDefinition action, TdSecurity security)
        => affordance with { Forms = security.Apply(action, affordance.Forms), SemanticType = SemanticType(action.SemanticTypes) };

    private static EventAffordance Secured(EventAffordance affordance, EventDefinition thingEvent, TdSecurity security)
        => affordance with { Forms = security.Apply(thingEvent, affordance.Forms), SemanticType = SemanticType(thingEvent.SemanticTypes) };

    /// <summary>The Thing's WebSocket as an absolute <c>ws://</c> or <c>wss://</c> URL (a relative href would resolve to http).</summary>
    private static string WebSocketUrl(Uri applicationBase, string thingName)
    {
        var url = new UriBuilder(new Uri(applicationBase, ThingPaths.UnderThing(thingName, ThingPaths.WebSocketSegment).TrimStart('/')))
        {
            Scheme = applicationBase.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
        };
        return url.Uri.AbsoluteUri;
    }

    private static EventAffordance Event(EventDefinition thingEvent, string webSocket, bool longPollFirst) => new()
    {
        Title = thingEvent.Title,
        Description = thingEvent.Description,
        Data = thingEvent.PayloadSchemaNode is { } schema ? TdDataSchema.From(schema) : null,
        Forms = ObservationForms(ThingPaths.RelativeAffordance(thingEvent.Name), webSocket, ThingPaths.RelativeLongPoll(thingEvent.Name), ["subscribeevent", "unsubscribeevent"], longPollFirst),
    };

    private static PropertyAffordance Property(Thing thing, PropertyDefinition property, string webSocket, bool longPollFirst)
    {
        var schema = TdDataSchema.From(property.SchemaNode);
        if (property.Unit is { } unit)
        {
            schema["unit"] = unit;
        }

        if (thing.DefaultJson(property) is { } defaultJson && !schema.ContainsKey("default"))
        {
            schema["default"] = JsonNode.Parse(defaultJson);
        }

        var writable = property.IsWritable;
        return new PropertyAffordance
        {
            Title = property.Title,
            Description = property.Description,
            ReadOnly = !writable,
            WriteOnly = false,
            Observable = property.Observable,
            DataSchema = schema,
            Forms = property.Observable
                ? [ReadWrite(property, writable), .. ObservationForms(ThingPaths.RelativeSse(property.Name), webSocket, ThingPaths.RelativeLongPoll(property.Name), ["observeproperty", "unobserveproperty"], longPollFirst)]
                : [ReadWrite(property, writable)],
        };
    }

    /// <summary>
    /// Server-Sent Events first (what node-wot's HTTP binding can use), then the Thing's WebSocket, then long polling;
    /// long polling first when observing needs credentials (an <c>EventSource</c> cannot send them).
    /// </summary>
    private static Form[] ObservationForms(string sseHref, string webSocket, string longPollHref, IReadOnlyList<string> ops, bool longPollFirst)
    {
        var sse = new Form { Href = sseHref, Op = ops, ContentType = "application/json", Subprotocol = "sse" };
        var ws = new Form { Href = webSocket, Op = ops, ContentType = "application/json", Subprotocol = WebSocketSubprotocol };
        var longPoll = new Form { Href = longPollHref, Op = ops, ContentType = "application/json", Subprotocol = "longpoll" };
        return longPollFirst ? [longPoll, sse, ws] : [sse, ws, longPoll];
    }

    private static Form ReadWrite(PropertyDefinition property, bool writable) => new()
    {
        Href = ThingPaths.RelativeAffordance(property.Name),
        Op = writable ? ["readproperty", "writeproperty"] : ["readproperty"],
        ContentType = "application/json",
        AdditionalResponses = writable ? [ResponseSchemas.ProblemResponse] : null,
    };

    /// <summary>
    /// An action's first form waits and answers with the output, which is what a generic WoT client's
    /// <c>invokeAction</c> expects; for a blob output that is its link (<c>{href, media_type}</c>, as the output schema
    /// says), and a second form on the same href asks for the blob's bytes instead (<c>response.contentType</c>, sent as
    /// the Accept header). Then labthings-fastapi's form, answering 201 with the invocation (described as a successful
    /// additional response), which can be queried and cancelled through the <c>queryaction</c> and <c>cancelaction</c> forms.
    /// </summary>
    private static ActionAffordance Action(ActionDefinition action)
    {
        var input = action.InputSchemaNode["properties"] is JsonObject { Count: > 0 } ? TdDataSchema.From(action.InputSchemaNode) : null;
        var output = action.OutputSchemaNode is { } schema ? TdDataSchema.From(schema) : null;
        var forms = new List<Form>
        {
            new()
            {
                Href = ThingPaths.RelativeInvokeAndWait(action.Name),
                Op = ["invokeaction"],
                ContentType = "application/json",
                MethodName = "POST",
                AdditionalResponses = [ResponseSchemas.ProblemResponse],
            },
        };

        // The bytes of a blob come back with the blob's own media type: offer them only when the action declares
        // it, since a client that is told one type rejects any other.
        if (action.OutputIsBlob && action.OutputMediaType is { } mediaType)
        {
            forms.Add(new Form
            {
                Href = ThingPaths.RelativeInvokeAndWait(action.Name),
                Op = ["invokeaction"],
                ContentType = "application/json",
                MethodName = "POST",
                Response = new ExpectedResponse(mediaType),
                AdditionalResponses = [ResponseSchemas.ProblemResponse],
            });
        }

        forms.Add(new Form
        {
            Href = ThingPaths.RelativeAffordance(action.Name),
            Op = ["invokeaction"],
            ContentType = "application/json",
            MethodName = "POST",
            AdditionalResponses = [ResponseSchemas.InvocationResponse, ResponseSchemas.ProblemResponse],
        });
        forms.Add(new Form
        {
            Href = ThingPaths.RelativeInvocationTemplate,
            Op = ["queryaction"],
            ContentType = "application/json",
            MethodName = "GET",
            AdditionalResponses = [ResponseSchemas.InvocationResponse],
        });
        forms.Add(new Form
        {
            Href = ThingPaths.RelativeInvocationTemplate,
            Op = ["cancelaction"],
            MethodName = "DELETE",
            Response = new ExpectedResponse("application/json"),
            AdditionalResponses = [ResponseSchemas.InvocationResponse, ResponseSchemas.ProblemResponse],
        });

        return new ActionAffordance
        {
            Title = action.Title,
            Description = action.Description,
            Input = input,
            Output = output,
            Safe = action.Safe,
            Idempotent = action.Idempotent,
            UriVariables = new JsonObject { ["id"] = new JsonObject { ["type"] = "string", ["description"] = "The invocation's id (from the 201 response of the labthings-fastapi form)" } },
            Forms = forms,
        };
    }

    /// <summary>
    /// A stream is a read-only, observable property: reading it gives the newest frame as a JPEG
    /// snapshot, observing it gives the MJPEG stream.
    /// </summary>
    private static PropertyAffordance StreamProperty(StreamDefinition stream) => new()
    {
        Title = stream.Title,
        Description = stream.Description,
        ReadOnly = true,
        WriteOnly = false,
        Observable = true,

        // The value is a JPEG. As a JSON value (what generic clients such as node-wot make of an image/jpeg body)
        // that is a base64 string; on the wire it is the bytes themselves, as the forms' content types say.
        DataSchema = new JsonObject { ["type"] = "string", ["contentEncoding"] = "base64", ["contentMediaType"] = "image/jpeg" },
        Forms =
        [
            new Form
            {
                Href = ThingPaths.RelativeSnapshot(stream.Name),
                Op = ["readproperty"],
                ContentType = "image/jpeg",
                MethodName = "GET",
            },
            new Form
            {
                Href = ThingPaths.RelativeAffordance(stream.Name),
                Op = ["observeproperty"],
                ContentType = MjpegStream.MultipartContentType,
                MethodName = "GET",

                // Not long polling: one response that never ends. Naming the subprotocol keeps generic clients that
                // only know longpoll and sse from re-requesting the stream in a tight loop.
                Subprotocol = StreamSubprotocol,
            },
        ],
    };
}
