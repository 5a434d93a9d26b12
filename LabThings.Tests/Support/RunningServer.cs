using LabThings.Examples;
using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1 with an ephemeral port, stopped on dispose.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(WebApplication app)
    {
        App = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The settings folder: a fresh temporary folder unless the test gave one.</summary>
    public string SettingsFolder { get; private init; } = "";

    /// <summary>Starts the example server (the same app as examples/ExampleServer).</summary>
    public static Task<RunningServer> StartExampleAsync(Action<WebApplicationBuilder>? configure = null, string? settingsFolder = null)
    {
        var folder = settingsFolder ?? NewTemporaryFolder();
        return StartAsync(
            ExampleApp.CreateApp(Args, builder =>
            {
                Prepare(builder, folder);
                configure?.Invoke(builder);
            }),
            folder);
    }

    /// <summary>
    /// Starts an app built by the test: <paramref name="configure"/> adds Things, MapThings is called here, then
    /// <paramref name="map"/> (when given) maps the app's own endpoints.
    /// </summary>
    public static Task<RunningServer> StartAsync(Action<WebApplicationBuilder> configure, string? settingsFolder = null, Action<WebApplication>? map = null)
    {
        var folder = settingsFolder ?? NewTemporaryFolder();
        var builder = WebApplication.CreateBuilder(Args);
        Prepare(builder, folder);
        configure(builder);
        var app = builder.Build();
        app.MapThings();
        map?.Invoke(app);
        return StartAsync(app, folder);
    }

    public static string NewTemporaryFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "labthings-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }

    private static string[] Args => ["--urls", "http://127.0.0.1:0", "--environment", "Production"];

    private static void Prepare(WebApplicationBuilder builder, string settingsFolder)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<LabThingsOptions>(o =>
        {
            o.SettingsFolder = settingsFolder;

            // Its collection is of the whole process, here the test run's, with every other test's servers and clients
            // in it; MemoryAfterLoadTests switches it on for its own server.
            o.ReturnMemoryAfterLoad = false;
        });
    }

    private static async Task<RunningServer> StartAsync(WebApplication app, string settingsFolder)
    {
        await app.StartAsync();
        return new RunningServer(app) { SettingsFolder = settingsFolder };
    }
}
