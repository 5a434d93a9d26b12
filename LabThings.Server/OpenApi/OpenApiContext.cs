using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Server.Actions;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace LabThings.Server.OpenApi;

/// <summary>
/// What an endpoint's description is built with, for one OpenAPI document: shared schemas registered once in the
/// document's components (through Swashbuckle's <see cref="SchemaRepository"/>) and referenced from every operation.
/// </summary>
internal sealed class OpenApiContext(OpenApiDocument document, SchemaRepository schemas)
{
    /// <summary>The name the OpenAPI document is registered under with Swashbuckle; it is served at <c>/openapi.json</c>.</summary>
    public const string DocumentName = "openapi";

    /// <summary>The component for RFC 9457 problem details, as every error is answered.</summary>
    public IOpenApiSchema ProblemDetails => Component("ProblemDetails", () => FromModel(LabThings.Description.ResponseSchemas.ProblemSchema()));

    /// <summary>
    /// The invocation component, described from its wire type; with <paramref name="output"/>, the invocation of an
    /// action whose <c>output</c> has that schema (the shared component plus the output, with <c>allOf</c>).
    /// </summary>
    public IOpenApiSchema Invocation(IOpenApiSchema? output = null)
    {
        var invocation = Component("Invocation", () => FromModel(InvocationResource.Schema));
        return output is null
            ? invocation
            : new OpenApiSchema
            {
                AllOf = [invocation, new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema> { ["output"] = output } }],
            };
    }

    /// <summary>A schema of the model (a property's value, an action's input or output, an event's payload) as a component named <paramref name="id"/>.</summary>
    public IOpenApiSchema Model(string id, JsonObject schema) => Component(id, () => FromModel(schema));

    /// <summary>The component id for an affordance's schema: <c>{ThingType}.{affordance}</c>, plus a suffix such as <c>input</c>.</summary>
    public static string Id(ThingDefinition thing, AffordanceDefinition affordance, string? suffix = null)
        => $"{thing.ThingType.Name}.{affordance.Name}" + (suffix is null ? "" : "." + suffix);

    private OpenApiSchemaReference Component(string id, Func<OpenApiSchema> create)
    {
        if (!schemas.Schemas.ContainsKey(id))
        {
            schemas.AddDefinition(id, create());
        }

        return new OpenApiSchemaReference(id, document);
    }

    private OpenApiSchema FromModel(JsonObject schema) => OpenApiSchemas.From(schema, document);
}
