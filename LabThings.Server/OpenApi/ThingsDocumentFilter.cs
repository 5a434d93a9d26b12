using LabThings.Server.Endpoints;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace LabThings.Server.OpenApi;

/// <summary>
/// Describes LabThings' endpoints in the OpenAPI document. They are mapped from request delegates, which API Explorer
/// cannot see, so this filter reads each endpoint's <see cref="ThingEndpoint"/> metadata and asks it for its own
/// description. Shared schemas go into the document's components once, through Swashbuckle's schema repository.
/// </summary>
internal sealed class ThingsDocumentFilter(EndpointDataSource endpoints, SecurityPolicy security) : IDocumentFilter
{
    private const string ServerTag = "Server";

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        swaggerDoc.Paths ??= [];
        var api = new OpenApiContext(swaggerDoc, context.SchemaRepository);
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.Endpoints.Select(e => e.Metadata.GetMetadata<ThingEndpoint>()).OfType<ThingEndpoint>())
        {
            var tag = endpoint.Thing?.Name ?? ServerTag;
            tags.Add(tag);
            var operation = endpoint.ToOperation(api, security);
            operation.Tags = new HashSet<OpenApiTagReference> { new(tag, swaggerDoc) };
            if (!swaggerDoc.Paths.TryGetValue(endpoint.Route, out var pathItem))
            {
                pathItem = new OpenApiPathItem();
                swaggerDoc.Paths[endpoint.Route] = pathItem;
            }

            ((OpenApiPathItem)pathItem).AddOperation(new HttpMethod(endpoint.Method), operation);
        }

        DescribeSecurity(swaggerDoc);
        swaggerDoc.Tags ??= new HashSet<OpenApiTag>();
        foreach (var tag in tags)
        {
            swaggerDoc.Tags.Add(new OpenApiTag { Name = tag });
        }
    }

    /// <summary>The configured schemes as OpenAPI security schemes, so Swagger UI's Authorize button can send credentials.</summary>
    private void DescribeSecurity(OpenApiDocument document)
    {
        if (!security.HasSchemes)
        {
            return;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        var requirements = new List<OpenApiSecurityRequirement>();
        if (security.Basic)
        {
            document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "basic", Description = "HTTP Basic with a configured user" };
            requirements.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", document)] = [] });
        }

        if (security.Bearer)
        {
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "A JWT whose scope claim names the permissions it grants" };
            requirements.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
        }

        if (security.Anonymous != AnonymousAccess.None)
        {
            // An empty requirement: some operations need no credentials.
            requirements.Add(new OpenApiSecurityRequirement());
        }

        document.Security = requirements;
    }
}
