using LabThings.Description;
using LabThings.Model;
using LabThings.Outputs;
using LabThings.Server.Routing;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace LabThings.Server.OpenApi;

/// <summary>
/// Describes LabThings' endpoints in the OpenAPI document. They are mapped from request delegates, which
/// API Explorer cannot see, so this filter reads each endpoint's <see cref="ThingEndpointMetadata"/> instead.
/// </summary>
internal sealed class ThingsDocumentFilter(EndpointDataSource endpoints) : IDocumentFilter
{
    private const string ServerTag = "Server";

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        swaggerDoc.Paths ??= [];
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var metadata in endpoints.Endpoints.Select(e => e.Metadata.GetMetadata<ThingEndpointMetadata>()).OfType<ThingEndpointMetadata>())
        {
            var tag = metadata.ThingName ?? ServerTag;
            tags.Add(tag);
            var operation = Describe(metadata, swaggerDoc);
            operation.Tags = new HashSet<OpenApiTagReference> { new(tag, swaggerDoc) };
            if (!swaggerDoc.Paths.TryGetValue(metadata.Route, out var pathItem))
            {
                pathItem = new OpenApiPathItem();
                swaggerDoc.Paths[metadata.Route] = pathItem;
            }

            ((OpenApiPathItem)pathItem).AddOperation(new HttpMethod(metadata.Method), operation);
        }

        swaggerDoc.Tags ??= new HashSet<OpenApiTag>();
        foreach (var tag in tags)
        {
            swaggerDoc.Tags.Add(new OpenApiTag { Name = tag });
        }
    }

    private static OpenApiOperation Describe(ThingEndpointMetadata metadata, OpenApiDocument document)
    {
        var thing = metadata.ThingName;
        var affordance = metadata.Affordance;
        var id = string.Join('_', new[] { thing, affordance?.Name, metadata.Kind.ToString() }.OfType<string>());
        if (ObservationOperations.Describe(metadata, id, document) is { } observation)
        {
            return observation;
        }

        if (affordance is PropertyDefinition property)
        {
            return DescribeProperty(metadata, property, id, document);
        }

        if (affordance is ActionDefinition action)
        {
            return ActionOperations.Describe(metadata, action, id, document);
        }

        if (ActionOperations.DescribeServerWide(metadata, id) is { } serverWide)
        {
            return serverWide;
        }

        return metadata.Kind switch
        {
            ThingEndpointKind.ThingList => Operation(
                id,
                "List the Things on this server",
                "An object mapping each Thing's name to the absolute URL of its Thing Description.",
                Ok("Thing names and TD URLs", "application/json", ObjectOf(new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" }))),
            ThingEndpointKind.ThingDescriptions => Operation(
                id,
                "Get every Thing Description",
                "An object mapping each Thing's name to its W3C Thing Description.",
                Ok("Thing Descriptions by name", "application/json", ObjectOf(new OpenApiSchema { Type = JsonSchemaType.Object }))),
            ThingEndpointKind.ThingDescription => Operation(
                id,
                $"Thing Description of '{thing}'",
                $"The W3C Thing Description (TD 1.1) of '{thing}'{(metadata.Definition?.Description is { } d ? ": " + d : ".")}",
                Ok("The Thing Description", ThingDescriptionJson.MediaType, new OpenApiSchema { Type = JsonSchemaType.Object })),
            ThingEndpointKind.Stream => Operation(
                id,
                $"{affordance!.Title}: live MJPEG stream",
                Join(affordance.Description, "A multipart/x-mixed-replace stream of JPEG frames (boundary 'frame'), newest frame first. "
                    + "Show it in an <img> tag; a slow client skips frames rather than falling behind."),
                Ok("The MJPEG stream; it ends when the stream stops", MjpegStream.MultipartContentType, Binary())),
            ThingEndpointKind.StreamViewer => Operation(
                id,
                $"{affordance!.Title}: viewer page",
                $"An HTML page showing the stream '{affordance.Name}' of '{thing}'.",
                Ok("The viewer page", "text/html", new OpenApiSchema { Type = JsonSchemaType.String })),
            ThingEndpointKind.StreamSnapshot => WithProblem(
                Operation(
                    id,
                    $"{affordance!.Title}: snapshot",
                    $"The newest frame of the stream '{affordance.Name}' of '{thing}' as a JPEG image.",
                    Ok("The newest frame", "image/jpeg", Binary())),
                "503",
                "No frame has been received yet"),
            _ => throw new ArgumentOutOfRangeException(nameof(metadata), metadata.Kind, "Unknown endpoint kind."),
        };
    }

    private static OpenApiOperation DescribeProperty(ThingEndpointMetadata metadata, PropertyDefinition property, string id, OpenApiDocument document)
    {
        var schema = OpenApiSchemas.From(property.GetSchema(), document);
        var about = property.Description is { } d ? d + ". " : "";
        switch (metadata.Kind)
        {
            case ThingEndpointKind.PropertyRead:
                return Operation(id, $"Read {property.Title}", $"{about}Returns the current value of '{property.Name}'.", Ok($"The value of '{property.Name}'", "application/json", schema));
            case ThingEndpointKind.PropertyReset:
                return Operation(id, $"Reset {property.Title}", $"Sets '{property.Name}' back to its default and returns the new value.", Ok("The value after the reset", "application/json", schema));
            default:
                var writable = property.IsWritable;
                var operation = new OpenApiOperation
                {
                    OperationId = id,
                    Summary = $"Write {property.Title}",
                    Description = writable
                        ? $"{about}Sets '{property.Name}'. The value is validated against its schema; an invalid value is refused with 422 and changes nothing."
                        : $"'{property.Name}' is read-only: writing it is refused with 405.",
                    RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schema } },
                    },
                    Responses = new OpenApiResponses(),
                };
                if (writable)
                {
                    operation.Responses["201"] = new OpenApiResponse { Description = "The value was written" };
                    Problem(operation, "400", "The body is not valid JSON");
                    Problem(operation, "415", "The body is not application/json");
                    Problem(operation, "422", "The value breaks the schema; the body's errors list each field and rule");
                }
                else
                {
                    Problem(operation, "405", "The property is read-only");
                }

                return operation;
        }
    }

    internal static OpenApiOperation Operation(string id, string summary, string description, OpenApiResponse ok) => new()
    {
        OperationId = id,
        Summary = summary,
        Description = description,
        Responses = new OpenApiResponses { ["200"] = ok },
    };

    private static OpenApiOperation WithProblem(OpenApiOperation operation, string status, string description)
    {
        Problem(operation, status, description);
        return operation;
    }

    internal static void Problem(OpenApiOperation operation, string status, string description)
    {
        operation.Responses![status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
            },
        };
    }

    internal static OpenApiResponse Ok(string description, string mediaType, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType> { [mediaType] = new OpenApiMediaType { Schema = schema } },
    };

    internal static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };

    private static OpenApiSchema ObjectOf(OpenApiSchema values) => new() { Type = JsonSchemaType.Object, AdditionalProperties = values };

    private static string Join(string? first, string second) => first is null ? second : first + ". " + second;
}
