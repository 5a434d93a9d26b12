using Microsoft.OpenApi;

namespace LabThings.Server.OpenApi;

/// <summary>Builds one operation of the OpenAPI document: its summary, request and every response its handler writes.</summary>
internal sealed class OperationBuilder(OpenApiContext context, string summary, string description)
{
    private readonly OpenApiOperation _operation = new()
    {
        Summary = summary,
        Description = description,
        Responses = new OpenApiResponses(),
    };

    /// <summary>A response with a body of <paramref name="mediaType"/>.</summary>
    public OperationBuilder Response(int status, string description, string mediaType, IOpenApiSchema schema)
    {
        _operation.Responses![Status(status)] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType> { [mediaType] = new OpenApiMediaType { Schema = schema } },
        };
        return this;
    }

    /// <summary>A response that is either bytes of <paramref name="mediaType"/> or, for clients that ask for JSON, <paramref name="link"/>.</summary>
    public OperationBuilder BlobOrLink(int status, string description, string mediaType, IOpenApiSchema link)
    {
        _operation.Responses![Status(status)] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                [mediaType] = new OpenApiMediaType { Schema = Binary() },
                ["application/json"] = new OpenApiMediaType { Schema = link },
            },
        };
        return this;
    }

    /// <summary>A response without a body.</summary>
    public OperationBuilder Response(int status, string description)
    {
        _operation.Responses![Status(status)] = new OpenApiResponse { Description = description };
        return this;
    }

    /// <summary>A JSON response.</summary>
    public OperationBuilder Json(int status, string description, IOpenApiSchema schema) => Response(status, description, "application/json", schema);

    /// <summary>An error response with problem details.</summary>
    public OperationBuilder Problem(int status, string description)
        => Response(status, description, "application/problem+json", context.ProblemDetails);

    /// <summary>A JSON request body.</summary>
    public OperationBuilder Body(IOpenApiSchema schema, bool required)
    {
        _operation.RequestBody = new OpenApiRequestBody
        {
            Required = required,
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schema } },
        };
        return this;
    }

    /// <summary>The errors of reading a JSON body: 400, 413 and 415.</summary>
    public OperationBuilder BodyProblems()
        => Problem(400, "The body is not valid JSON")
            .Problem(413, "The body is too large")
            .Problem(415, "The body is not application/json");

    /// <summary>An optional integer query parameter.</summary>
    public OperationBuilder QueryParameter(string name, string description)
        => Parameter(name, ParameterLocation.Query, required: false, description, JsonSchemaType.Integer);

    /// <summary>A string path parameter, e.g. an invocation's <c>id</c>.</summary>
    public OperationBuilder PathParameter(string name, string description)
        => Parameter(name, ParameterLocation.Path, required: true, description, JsonSchemaType.String);

    public OpenApiOperation Build() => _operation;

    /// <summary>Bytes of any media type.</summary>
    public static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };

    private OperationBuilder Parameter(string name, ParameterLocation location, bool required, string description, JsonSchemaType type)
    {
        _operation.Parameters ??= [];
        _operation.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = location,
            Required = required,
            Description = description,
            Schema = new OpenApiSchema { Type = type },
        });
        return this;
    }

    private static string Status(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
