using System.Text;
using LabThings.Cameras.Ffmpeg;
using LabThings.Examples;
using LabThings.Model;
using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LabThings.ServerTool;

/// <summary>What the command line asked for.</summary>
/// <param name="ConfigFile">The <c>-c/--config</c> file, if any.</param>
/// <param name="Json">The <c>--json</c> text, if any.</param>
/// <param name="Urls">The <c>--urls</c> value, if any.</param>
/// <param name="Fallback">Whether <c>--fallback</c> was given.</param>
/// <param name="ConfigurationArguments">Arguments left over for the configuration (<c>--LabThings:Title=…</c>).</param>
internal sealed record ServerArguments(FileInfo? ConfigFile, string? Json, string? Urls, bool Fallback, IReadOnlyList<string> ConfigurationArguments);

/// <summary>
/// Builds the configuration (defaults, the file, <c>--json</c>, <c>LABTHINGS_</c> environment variables, the command
/// line, <c>--urls</c>; later ones win), checks it, and runs the server; or, when anything fails, reports every problem
/// and exits non-zero (2 for configuration problems found before start-up, 1 when start-up itself fails), or with
/// <c>--fallback</c> serves a page listing them.
/// </summary>
internal static class ServerRunner
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    public static async Task<int> RunAsync(ServerArguments arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // The example Things and the FFmpeg camera ship with the tool: make sure their assemblies are loaded so
        // configurations can name them.
        _ = typeof(SyntheticCamera).Assembly;
        _ = typeof(FfmpegCamera).Assembly;

        var problems = new List<string>();
        // The slim builder, with Kestrel's HTTPS configuration added back (Kestrel:Endpoints with certificates,
        // docs/security.md): the full builder's extras (IIS, hosting-startup assemblies, more logging providers) serve
        // nothing here, and leaving them out saves about 2 MiB of RSS (docs/performance.md).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.WebHost.UseKestrelHttpsConfiguration();
        var configuration = builder.Configuration;
        configuration.Sources.Clear();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = DefaultUrl,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",

            // The tool reports start-up failures itself, as a list of problems (no stack traces).
            ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "None",
        });
        AddJsonSources(arguments, configuration, problems);
        configuration.AddEnvironmentVariables("LABTHINGS_");
        configuration.AddCommandLine([.. arguments.ConfigurationArguments]);
        if (!string.IsNullOrWhiteSpace(arguments.Urls))
        {
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Urls"] = arguments.Urls });
        }

        var urls = configuration["Urls"] is { Length: > 0 } configured ? configured : DefaultUrl;
        var exitCode = 2;
        WebApplication? app = null;
        if (problems.Count == 0)
        {
            Configure(builder, configuration, problems);
        }

        if (problems.Count == 0)
        {
            exitCode = 1;
            try
            {
                builder.WebHost.UseUrls(urls);
                app = builder.Build();
                app.MapThings();
                // A RequestDelegate, not a route handler: ASP.NET Core compiles route handlers on the first request
                // (System.Linq.Expressions and more, about 4 MiB of RSS; docs/performance.md, "After first use").
                app.MapGet("/", RedirectToDocs).ExcludeFromDescription();
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                problems.AddRange(Describe(ex));
            }
        }

        if (problems.Count == 0 && app is not null)
        {
            await using (app.ConfigureAwait(false))
            {
                var options = app.Services.GetRequiredService<IOptions<LabThingsOptions>>().Value;
                foreach (var address in Addresses(app.Services))
                {
                    await output.WriteLineAsync($"labthings-server: listening on {address}{ServedPath(options)}").ConfigureAwait(false);
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
        }

        if (app is not null)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        var report = new StringBuilder("labthings-server: the server cannot start:").AppendLine();
        foreach (var problem in problems)
        {
            report.Append("  - ").AppendLine(problem);
        }

        await error.WriteAsync(report.ToString()).ConfigureAwait(false);
        await error.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (!arguments.Fallback)
        {
            return exitCode;
        }

        return await FallbackServer.RunAsync(urls, problems, output, error, cancellationToken).ConfigureAwait(false) ?? exitCode;
    }

    private static Task RedirectToDocs(HttpContext context)
    {
        context.Response.Redirect(context.Request.PathBase + "/docs");
        return Task.CompletedTask;
    }

    private static void AddJsonSources(ServerArguments arguments, ConfigurationManager configuration, List<string> problems)
    {
        if (arguments.ConfigFile is { } file)
        {
            if (!file.Exists)
            {
                problems.Add($"--config: there is no file {file.FullName}");
            }
            else
            {
                var found = ConfigurationSchema.Validate(File.ReadAllText(file.FullName), file.Name);
                problems.AddRange(found);
                if (found.Count == 0)
                {
                    configuration.AddJsonFile(file.FullName, optional: false, reloadOnChange: false);
                }
            }
        }

        if (arguments.Json is { } json)
        {
            var found = ConfigurationSchema.Validate(json, "--json");
            problems.AddRange(found);
            if (found.Count == 0)
            {
                configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
            }
        }
    }

    private static void Configure(WebApplicationBuilder builder, ConfigurationManager configuration, List<string> problems)
    {
        try
        {
            // Binding here reports values of the wrong type (from any source) with their path before anything starts.
            configuration.GetSection("LabThings").Bind(new LabThingsOptions());
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }

        var things = configuration.GetSection("LabThings:Things");
        if (!things.GetChildren().Any())
        {
            problems.Add("LabThings:Things: no Things are configured; add e.g. \"LabThings\": { \"Things\": { \"counter\": { \"Type\": \"LabThings.Examples.Counter\" } } }");
            return;
        }

        try
        {
            builder.Services.AddLabThings().AddThingsFromConfiguration(things);
        }
        catch (LabThingsConfigurationException ex)
        {
            problems.AddRange(ex.Problems);
        }
    }

    /// <summary>The problems an exception stands for, one line each, without stack traces.</summary>
    internal static IEnumerable<string> Describe(Exception exception) => exception switch
    {
        LabThingsConfigurationException configuration => configuration.Problems,
        ThingDefinitionException definition => definition.Problems,
        OptionsValidationException validation => validation.Failures,
        ThingStartException { InnerException: { } inner } start => [$"{start.Message} ({inner.GetType().Name})"],
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Describe),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Describe(inner),
        IOException io when io.InnerException is { } inner => [$"{io.Message} ({inner.Message})"],
        _ => [$"start-up failed: {exception.Message} ({exception.GetType().Name})"],
    };

    private static string ServedPath(LabThingsOptions options)
    {
        var trimmed = options.PathPrefix?.Trim().Trim('/');
        return string.IsNullOrEmpty(trimmed) ? "/" : "/" + trimmed + "/";
    }

    internal static IEnumerable<string> Addresses(IServiceProvider services)
        => services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
}
