using System.Collections.Frozen;
using System.Net;
using System.Text;
using LabThings.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace LabThings.Server.Ui;

/// <summary>
/// The server's web page (<see cref="LabThingsOptions.UiPath"/>): one HTML page that lists the Things or, with
/// <c>?thing={name}</c>, shows one Thing live, and its script and style files under <see cref="AssetsPrefix"/>. Every
/// file is an embedded resource of this assembly (<c>Ui/Assets</c>), so the page works offline.
/// </summary>
internal static class UiEndpoints
{
    /// <summary>Where the page's files are served. The dot keeps it apart from every Thing name (names have none).</summary>
    public const string AssetsPrefix = "/labthings.ui/";

    /// <summary>
    /// Scripts, styles and connections only from this server, and no inline script; images also from <c>blob:</c>
    /// (snapshots fetched by the page); no other site may frame the page.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'";

    private const string ResourcePrefix = "LabThings.Server.Ui.Assets.";

    private static readonly FrozenDictionary<string, Asset> Assets = LoadAssets();

    public static void Map(IEndpointRouteBuilder endpoints, LabThingsOptions options)
    {
        if (options.UiPath is not { } path)
        {
            return;
        }

        if (!path.StartsWith('/') || path.Contains('?', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"LabThingsOptions.UiPath must be a path starting with '/' (e.g. '/' or '/lab'), or null for no page; it is '{path}'.");
        }

        var page = Assets["index.html"];
        var title = WebUtility.HtmlEncode(options.Title);
        var docs = options.SwaggerUi ? "/" + ThingPaths.DocsPrefix : "";
        endpoints.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], context =>
        {
            var pathBase = WebUtility.HtmlEncode(context.Request.PathBase.Value ?? "");
            var html = Encoding.UTF8.GetString(page.Content)
                .Replace("%TITLE%", title, StringComparison.Ordinal)
                .Replace("%ROOT%", pathBase + "/", StringComparison.Ordinal)
                .Replace("%DOCS%", docs.Length == 0 ? "" : pathBase + docs, StringComparison.Ordinal)
                .Replace("%ASSETS%", pathBase + AssetsPrefix, StringComparison.Ordinal)
                .Replace("%VERSION%", page.ETag.Trim('"'), StringComparison.Ordinal);
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.ContentType = "text/html; charset=utf-8";
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(html);
        })
        .ExcludeFromDescription()
        .WithDisplayName("LabThings UI page")
        // An application that maps this path itself (its own page) wins, with no ambiguity.
        .Add(builder =>
        {
            if (builder is RouteEndpointBuilder route)
            {
                route.Order = 1;
            }
        });

        endpoints.MapMethods(AssetsPrefix + "{file}", [HttpMethods.Get, HttpMethods.Head], ServeAssetAsync)
            .ExcludeFromDescription()
            .WithDisplayName("LabThings UI files");
    }

    private static Task ServeAssetAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["file"] as string;
        if (name is null || name == "index.html" || !Assets.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(asset.Content).AsTask();
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(UiEndpoints).Assembly;

        // The assets are embedded in this assembly, whose (deterministic) module id changes whenever any of them does:
        // it makes the ETag, without hashing the content (SHA-256 here loaded OpenSSL, ~5 MiB of RSS, into every server).
        var build = assembly.ManifestModule.ModuleVersionId.ToString("N")[..16];
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var etag = $"\"{build}-{content.Length:x}\"";
            assets[name] = new Asset(content, ContentTypeOf(name), etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".html" => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
