using System.Net;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Endpoints;

/// <summary>
/// What a web page open in a lab user's browser could otherwise make the server do. Two checks:
/// <list type="bullet">
/// <item>A request that changes something (any method but GET and HEAD) or opens a WebSocket, and carries an
/// <c>Origin</c> other than the server's own or one in <see cref="LabThingsOptions.AllowedOrigins"/>, is refused with
/// 403. Browsers send <c>Origin</c> on such requests; scripts, node-wot and Python clients send none and are not
/// affected.</item>
/// <item>A request that arrived over a loopback connection must name a loopback host (<c>localhost</c>, 127.0.0.1,
/// [::1]) or one in <see cref="LabThingsOptions.AllowedHosts"/>, or it is refused with 400: a page on another site
/// that re-points its own host name at 127.0.0.1 (DNS rebinding) cannot reach a server bound to loopback.</item>
/// </list>
/// </summary>
internal static class CrossSiteGuard
{
    /// <summary>Wraps a LabThings endpoint's handler with the <c>Origin</c> check.</summary>
    public static RequestDelegate Wrap(ThingEndpoint endpoint, RequestDelegate handler, LabThingsOptions options)
    {
        if (!ChangesState(endpoint))
        {
            return handler;
        }

        return context => ForeignOrigin(context.Request, options) is { } origin ? RefuseAsync(context, origin) : handler(context);
    }

    /// <summary>
    /// The <c>Origin</c> check of <see cref="Wrap"/> for a request outside the catalogue: false (with the refusal
    /// written) when a state-changing request comes from a page of a foreign origin.
    /// </summary>
    public static async Task<bool> CheckAsync(HttpContext context, LabThingsOptions options)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || ForeignOrigin(context.Request, options) is not { } origin)
        {
            return true;
        }

        await RefuseAsync(context, origin).ConfigureAwait(false);
        return false;
    }

    /// <summary>Whether the endpoint changes something or opens a WebSocket, so that a foreign origin is refused.</summary>
    public static bool ChangesState(ThingEndpoint endpoint)
        => endpoint.Kind == ThingEndpointKind.WebSocket || !(HttpMethods.IsGet(endpoint.Method) || HttpMethods.IsHead(endpoint.Method));

    /// <summary>Middleware for the whole app: the <c>Host</c> check of requests that arrived over loopback.</summary>
    public static Func<HttpContext, RequestDelegate, Task> HostCheck(LabThingsOptions options) => (context, next) =>
    {
        var local = context.Connection.LocalIpAddress;
        if (local is null || !IPAddress.IsLoopback(local) || IsAllowedHost(context.Request.Host.Host, options))
        {
            return next(context);
        }

        return Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Host not allowed", "This server listens on loopback and answers only requests for localhost, 127.0.0.1 or [::1] (or the names in LabThingsOptions.AllowedHosts).");
    };

    private static bool IsAllowedHost(string host, LabThingsOptions options)
    {
        var name = host.Trim('[', ']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address))
            || options.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The request's <c>Origin</c> if it is neither this server's nor an allowed one; null otherwise (or if there is none).</summary>
    private static string? ForeignOrigin(HttpRequest request, LabThingsOptions options)
    {
        if (!request.Headers.TryGetValue("Origin", out var values) || values.Count == 0)
        {
            return null;
        }

        var origin = values.ToString();
        if (options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
               && uri.Scheme.Equals(request.Scheme, StringComparison.OrdinalIgnoreCase)
               && uri.Host.Equals(request.Host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
               && uri.Port == (request.Host.Port ?? (request.IsHttps ? 443 : 80))
            ? null
            : Problems.Clip(origin, 200);
    }

    private static Task RefuseAsync(HttpContext context, string origin)
        => Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Cross-site request refused", $"Requests that change something are not accepted from pages of {origin}. Add it to LabThingsOptions.AllowedOrigins to allow it.");
}
