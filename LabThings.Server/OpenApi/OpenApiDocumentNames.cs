namespace LabThings.Server.OpenApi;

/// <summary>Names of the OpenAPI documents LabThings registers with Swashbuckle.</summary>
internal static class OpenApiDocumentNames
{
    /// <summary>The one document, served at <c>/openapi.json</c>.</summary>
    public const string Default = "openapi";
}
