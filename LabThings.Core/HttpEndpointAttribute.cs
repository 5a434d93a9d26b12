namespace LabThings;

/// <summary>
/// Publishes a method of a Thing as a plain HTTP endpoint under the Thing's path (labthings-fastapi's
/// <c>@endpoint</c>): for what is not a property, action or event, such as downloading or deleting files,
/// thumbnails, or a page. The method returns an ASP.NET Core <c>IResult</c> (or a <c>Task</c> of one); its
/// parameters are bound as in a minimal API (route values, query, JSON body, services, <c>HttpContext</c>,
/// <c>CancellationToken</c>). It appears in the OpenAPI document, not in the Thing Description, and needs the
/// <c>read</c> permission (GET, HEAD) or the <c>write</c> permission (other methods) when authentication is on.
/// </summary>
/// <example>
/// <code>
/// [HttpEndpoint("GET", "files/{name}", Summary = "Download a captured file")]
/// public IResult DownloadFile(string name) => Results.File(Path.Combine(_folder, Path.GetFileName(name)));
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class HttpEndpointAttribute : Attribute
{
    /// <summary>Publishes the method for <paramref name="method"/> requests to <paramref name="path"/>.</summary>
    /// <param name="method">The HTTP method: GET, HEAD, POST, PUT, PATCH or DELETE.</param>
    /// <param name="path">The route under the Thing's path, e.g. <c>files/{name}</c> (no leading slash).</param>
    public HttpEndpointAttribute(string method, string path)
    {
        Method = method;
        Path = path;
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; }

    /// <summary>The route under the Thing's path.</summary>
    public string Path { get; }

    /// <summary>A one-line summary for the OpenAPI document, or null.</summary>
    public string? Summary { get; set; }

    /// <summary>A description for the OpenAPI document, or null.</summary>
    public string? Description { get; set; }
}
