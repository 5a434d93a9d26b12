using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Benchmarks;

/// <summary>
/// An in-process LabThings server with one Thing, as an app would set it up: Kestrel on 127.0.0.1 with an ephemeral
/// port, the slim builder and the library defaults (Swagger UI included), warning-level logging, its settings in a new
/// temporary folder.
/// </summary>
internal sealed class BenchApp : IAsyncDisposable
{
    private BenchApp(WebApplication app, string settingsFolder)
    {
        App = app;
        SettingsFolder = settingsFolder;
        BaseAddress = Address(app);
    }

    public WebApplication App { get; }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    public string SettingsFolder { get; }

    /// <param name="name">The Thing's name (its URL segment).</param>
    /// <param name="configure">More configuration of the builder (Kestrel limits, …), or null.</param>
    /// <param name="options">More LabThings options, or null.</param>
    public static async Task<BenchApp> StartAsync<TThing>(string name, Action<WebApplicationBuilder>? configure = null, Action<LabThingsOptions>? options = null)
        where TThing : Thing
    {
        var folder = NewTemporaryFolder();
        var settings = new WebApplicationOptions
        {
            Args = ["--urls", "http://127.0.0.1:0"],
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        };

        // The slim builder, as labthings-server, the project template and the example server use (with Kestrel's HTTPS
        // configuration added back). LABTHINGS_BENCH_FULL=1: WebApplication.CreateBuilder, to measure what an app's
        // choice of builder costs.
        WebApplicationBuilder builder;
        if (Environment.GetEnvironmentVariable("LABTHINGS_BENCH_FULL") == "1")
        {
            builder = WebApplication.CreateBuilder(settings);
        }
        else
        {
            builder = WebApplication.CreateSlimBuilder(settings);
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure?.Invoke(builder);
        builder.Services.AddLabThings(o =>
        {
            o.SettingsFolder = folder;
            options?.Invoke(o);
        }).AddThing<TThing>(name);
        var app = builder.Build();
        app.MapThings();
        await app.StartAsync();
        return new BenchApp(app, folder);
    }

    public static string NewTemporaryFolder()
        => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "labthings-bench-" + Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>The address a started app listens on, with a trailing slash.</summary>
    public static Uri Address(WebApplication app)
        => new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/') + "/");

    public T Get<T>()
        where T : notnull
        => App.Services.GetRequiredService<T>();

    /// <summary>Stops an app (at most 10 s for the graceful part) and disposes it.</summary>
    public static async Task StopAsync(WebApplication app)
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await app.StopAsync(timeout.Token);
        }

        await app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(App);
        Directory.Delete(SettingsFolder, recursive: true);
    }
}
