using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace LabThings.Server.OpenApi;

/// <summary>
/// Serves the OpenAPI document that Swashbuckle generates, as compact JSON (Swashbuckle's own middleware indents it,
/// which nearly doubles its size). Like Swashbuckle, the document's server URL is the request's path base, when it
/// has a safe one, and then the response is not for shared caches.
/// </summary>
internal static class OpenApiDocumentEndpoint
{
    /// <summary>
    /// The request delegate. Not itself an async method: routing reads its handler's attributes when it builds its
    /// endpoints, and an async method's state-machine attribute would load the state machine, whose awaiter of the
    /// document loads Microsoft.OpenApi into every server at its first request.
    /// </summary>
    public static Task HandleAsync(HttpContext context) => WriteDocumentAsync(context);

    private static async Task WriteDocumentAsync(HttpContext context)
    {
        var basePath = context.Request.PathBase is { HasValue: true } pathBase && !pathBase.Value!.StartsWith("//", StringComparison.Ordinal) && !pathBase.Value.StartsWith("/\\", StringComparison.Ordinal)
            ? pathBase.Value
            : null;
        var provider = context.RequestServices.GetRequiredService<OpenApiServices>().Provider;
        var document = await provider.GetSwaggerAsync(OpenApiContext.DocumentName, host: null, basePath: basePath).ConfigureAwait(false);
        if (basePath is not null)
        {
            context.Response.Headers.CacheControl = "private";
        }

        string json;
        using (var text = new StringWriter(CultureInfo.InvariantCulture))
        {
            document.SerializeAsV3(new OpenApiJsonWriter(text, new OpenApiJsonWriterSettings { Terse = true }));
            json = text.ToString();
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
