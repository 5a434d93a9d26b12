using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace LabThings.Server.Endpoints;

/// <summary>Absolute URLs as the client sees this server.</summary>
internal static class RequestUrls
{
    /// <summary>The application's root, e.g. <c>http://127.0.0.1:5000/</c> (with any path base).</summary>
    public static Uri ApplicationBase(HttpRequest request)
        => new(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, "/"));
}
