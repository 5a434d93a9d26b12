using LabThings.Client;
using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Testing;

/// <summary>
/// A real LabThings server for tests: Kestrel on <c>127.0.0.1</c> with a port the system chooses, the Things the test
/// adds, settings in a fresh temporary folder (deleted afterwards). Stopped with <c>await using</c>.
/// </summary>
/// <example>
/// <code>
/// await using var server = await LabThingsTestServer.StartAsync(things => things.AddThing&lt;Light&gt;("light"));
/// using var light = await server.CreateThingClientAsync("light");
/// await light.WritePropertyAsync("brightness", 20);
/// </code>
/// </example>
public sealed class LabThingsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsSettingsFolder;

    private LabThingsTestServer(WebApplication app, string settingsFolder, bool ownsSettingsFolder)
    {
        _app = app;
        SettingsFolder = settingsFolder;
        _ownsSettingsFolder = ownsSettingsFolder;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:38113/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client whose <see cref="HttpClient.BaseAddress"/> is the server's; relative URLs such as <c>light/brightness</c> work.</summary>
    public HttpClient Client { get; }

    /// <summary>The application's services (the Things among them, under their types).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The folder the Things' settings are saved in.</summary>
    public string SettingsFolder { get; }

    /// <summary>
    /// Starts a server: <c>AddLabThings()</c> with <paramref name="things"/> adding the Things, <c>MapThings()</c>, and Kestrel
    /// listening on <c>http://127.0.0.1:0</c>. Logging is at Warning and above.
    /// </summary>
    /// <param name="things">Adds the Things (<c>things => things.AddThing&lt;Light&gt;("light")</c>).</param>
    /// <param name="options">Changes the server's options; <see cref="LabThingsOptions.SettingsFolder"/> is a new temporary folder unless this sets it.</param>
    /// <param name="configure">Changes the application before it is built (services, configuration, logging).</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="Model.ThingDefinitionException">A Thing cannot be served; lists every problem.</exception>
    public static async Task<LabThingsTestServer> StartAsync(
        Action<LabThingsBuilder> things,
        Action<LabThingsOptions>? options = null,
        Action<WebApplicationBuilder>? configure = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(things);
        var temporary = Path.Combine(Path.GetTempPath(), "labthings-testing", Guid.NewGuid().ToString("N"));
        var folder = temporary;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        things(builder.Services.AddLabThings(o =>
        {
            o.SettingsFolder = temporary;
            options?.Invoke(o);
            folder = o.SettingsFolder;
        }));
        configure?.Invoke(builder);
        var app = builder.Build();
        try
        {
            app.MapThings();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new LabThingsTestServer(app, folder, folder == temporary);
    }

    /// <summary>A <see cref="ThingClient"/> for the Thing named <paramref name="thingName"/>, from its Thing Description.</summary>
    /// <param name="thingName">The Thing's name on the server.</param>
    /// <param name="options">Credentials and other client settings; the defaults when null.</param>
    /// <param name="cancellationToken">Cancels reading the Thing Description.</param>
    /// <returns>The client; dispose it.</returns>
    /// <exception cref="ThingProblemException">The server has no such Thing (404), or refused.</exception>
    public Task<ThingClient> CreateThingClientAsync(string thingName, ThingClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(thingName);
        return ThingClient.FromUrlAsync(new Uri(BaseAddress, Uri.EscapeDataString(thingName) + "/"), null, options, cancellationToken);
    }

    /// <summary>Stops the server (within 10 seconds) and deletes the temporary settings folder.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        if (_ownsSettingsFolder && Directory.Exists(SettingsFolder))
        {
            try
            {
                Directory.Delete(SettingsFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere: the temporary folder is cleaned up by the system eventually.
            }
        }
    }
}
