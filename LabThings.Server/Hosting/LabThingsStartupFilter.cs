using System.Runtime.CompilerServices;
using LabThings.Model;
using LabThings.Server.Endpoints;
using LabThings.Server.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Hosting;

/// <summary>
/// Adds the middleware LabThings needs at the front of the pipeline: the count of requests in progress
/// (<see cref="MemoryAfterLoad"/>), problem details for errors, the host and cross-site checks, and Swagger UI.
/// </summary>
internal sealed class LabThingsStartupFilter(IOptions<LabThingsOptions> options, RequestLoad load) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var settings = options.Value;
        if (settings.ReturnMemoryAfterLoad)
        {
            app.Use(rest => context => Counted(load, rest, context));
        }

        if (settings.ProblemDetailsForErrors)
        {
            app.UseExceptionHandler();
            app.UseStatusCodePages();
        }

        var prefix = PathPrefix(settings);
        if (prefix.HasValue)
        {
            // Everything LabThings serves is under the prefix; the request's PathBase carries it into every URL it builds.
            app.UsePathBase(prefix);
            app.Use((context, next) =>
            {
                if (context.Request.PathBase.StartsWithSegments(prefix))
                {
                    return next(context);
                }

                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        }

        app.Use(CrossSiteGuard.HostCheck(settings));
        if (settings.AllowedOrigins.Count > 0)
        {
            // CORS only for the origins allowed to use the server (a dashboard served from elsewhere): off by default.
            app.UseCors(cors => cors.WithOrigins([.. settings.AllowedOrigins])
                .AllowAnyMethod()
                .AllowAnyHeader()
                .AllowCredentials()
                .WithExposedHeaders("Location", "Link", "Retry-After", "WWW-Authenticate"));
        }

        app.Use((context, next) =>
        {
            // Browsers must take every answer as the media type it declares (no guessing a JSON body is HTML).
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });

        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        if (settings.SwaggerUi)
        {
            // Swagger UI's page runs an inline bootstrap script, so scripts are limited to this server and inline ones;
            // nothing is loaded from elsewhere, and no other site may frame the page (clickjacking). Its middleware is
            // built on the first request for it, so a server nobody reads the docs of does not load it.
            var docs = new PathString("/" + ThingPaths.DocsPrefix);
            app.Use(rest =>
            {
                var swaggerUi = new Lazy<RequestDelegate>(() => SwaggerUi(app.New(), settings, prefix, rest));
                return context =>
                {
                    if (!context.Request.Path.StartsWithSegments(docs, StringComparison.OrdinalIgnoreCase))
                    {
                        return rest(context);
                    }

                    context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'";
                    return swaggerUi.Value(context);
                };
            });
        }

        next(app);
    };

    /// <summary>Runs the rest of the pipeline as one request in progress (<see cref="MemoryAfterLoad"/>).</summary>
    private static Task Counted(RequestLoad load, RequestDelegate rest, HttpContext context)
    {
        load.Enter();
        Task task;
        try
        {
            task = rest(context);
        }
        catch
        {
            load.Exit();
            throw;
        }

        if (task.IsCompleted)
        {
            load.Exit();
            return task;
        }

        return Awaited(load, task);

        static async Task Awaited(RequestLoad load, Task task)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            finally
            {
                load.Exit();
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static RequestDelegate SwaggerUi(IApplicationBuilder branch, LabThingsOptions settings, PathString prefix, RequestDelegate rest)
    {
        branch.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = ThingPaths.DocsPrefix;
            ui.DocumentTitle = settings.Title;
            ui.SwaggerEndpoint(prefix + ThingPaths.OpenApiDocument, settings.Title);
        });
        branch.Run(rest);
        return branch.Build();
    }

    /// <summary>The configured path prefix as a path (<c>/api</c>), or an empty path for none.</summary>
    internal static PathString PathPrefix(LabThingsOptions options)
    {
        var trimmed = options.PathPrefix?.Trim().Trim('/');
        return string.IsNullOrEmpty(trimmed) ? PathString.Empty : new PathString("/" + trimmed);
    }
}
