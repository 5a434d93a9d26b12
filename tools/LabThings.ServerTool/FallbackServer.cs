using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace LabThings.ServerTool;

/// <summary>
/// What <c>--fallback</c> serves when the server cannot start: every request, at any path and with any method, is
/// answered 503 with the problems, as an HTML page for browsers (those that accept <c>text/html</c>) and as RFC 9457
/// <c>application/problem+json</c> (with a <c>problems</c> array) for everything else.
/// </summary>
internal static class FallbackServer
{
    public const string Title = "The LabThings server could not start";

    /// <summary>Serves the problems until shut down; returns null, or 1 when even the fallback cannot listen.</summary>
    public static async Task<int?> RunAsync(string urls, IReadOnlyList<string> problems, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        var app = builder.Build();
        await using (app.ConfigureAwait(false))
        {
            var html = Encoding.UTF8.GetBytes(Html(problems));
            var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["type"] = "about:blank",
                ["title"] = Title,
                ["status"] = StatusCodes.Status503ServiceUnavailable,
                ["detail"] = string.Join("; ", problems),
                ["problems"] = problems,
            });
            app.Run(context =>
            {
                var wantsHtml = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.CacheControl = "no-store";
                context.Response.ContentType = wantsHtml ? "text/html; charset=utf-8" : "application/problem+json";
                var body = wantsHtml ? html : json;
                context.Response.ContentLength = body.Length;
                return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body).AsTask();
            });
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                await error.WriteLineAsync($"labthings-server: the fallback page cannot listen on {urls} either: {ex.Message}").ConfigureAwait(false);
                return 1;
            }

            foreach (var address in ServerRunner.Addresses(app.Services))
            {
                await output.WriteLineAsync($"labthings-server: serving the problems (--fallback) on {address}/").ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private static string Html(IReadOnlyList<string> problems)
    {
        var page = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Title).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}li{margin:.4rem 0;font-family:monospace;white-space:pre-wrap}</style>")
            .Append("</head><body><h1>").Append(Title).Append("</h1><p>Fix the configuration and restart <code>labthings-server</code>. The problems:</p><ul>");
        foreach (var problem in problems)
        {
            page.Append("<li>").Append(WebUtility.HtmlEncode(problem)).Append("</li>");
        }

        return page.Append("</ul></body></html>").ToString();
    }
}
