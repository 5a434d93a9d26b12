using System.CommandLine;
using LabThings.Examples;
using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Benchmarks;

/// <summary>
/// The example server (<see cref="ExampleApp.CreateApp"/>: camera, counter, light) in a child process (this program's
/// <c>example-server</c> command), on 127.0.0.1 with an ephemeral port, warning-level logging and its settings in a
/// temporary folder, so that its CPU time is its own. With <c>bare</c>, instead an ASP.NET Core app with no LabThings
/// at all and one endpoint, <c>GET /value</c>, answering <c>50</c> as JSON the way a property read does: the floor that
/// Kestrel and routing set on this machine.
/// </summary>
internal sealed class ExampleServerHost : IAsyncDisposable
{
    private const string ReadyPrefix = "LISTENING ";

    private readonly ChildProcess _child;
    private readonly bool _ownsFolder;

    private ExampleServerHost(Uri baseAddress, string settingsFolder, bool ownsFolder, ChildProcess child)
        => (BaseAddress, SettingsFolder, _ownsFolder, _child) = (baseAddress, settingsFolder, ownsFolder, child);

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public string SettingsFolder { get; }

    /// <summary>For the report's environment section.</summary>
    public string Description => $"examples/ExampleServer's ExampleApp.CreateApp in a child process (this program's example-server command), {BaseAddress}, warning-level logging, settings folder {SettingsFolder}";

    /// <summary>The internal <c>example-server</c> command: serve until stdin closes; print the address when listening.</summary>
    public static Command Command()
    {
        var folder = new Option<string>("--settings-folder") { Description = "the server's settings folder", Required = true };
        var bare = new Option<bool>("--bare") { Description = "serve a bare ASP.NET Core app (GET /value) instead of the example server" };
        var command = new Command("example-server", "internal: the example server in a child process, started by the properties and actions commands") { folder, bare };
        command.SetAction(async r =>
        {
            var app = await StartAppAsync(r.GetValue(folder)!, r.GetValue(bare));
            await Console.Out.WriteLineAsync(ReadyPrefix + BenchApp.Address(app).AbsoluteUri);
            while (await Console.In.ReadLineAsync() is not null)
            {
                // Nothing is sent; wait for the end of input.
            }

            await BenchApp.StopAsync(app);
            return 0;
        });
        return command;
    }

    /// <param name="settingsFolder">The settings folder, or null for a new temporary one (deleted on dispose).</param>
    /// <param name="bare">Serve the bare ASP.NET Core app instead.</param>
    public static async Task<ExampleServerHost> StartAsync(string? settingsFolder, bool bare = false)
    {
        Report.Progress(bare ? "starting the bare ASP.NET Core app" : "starting the example server");
        var folder = settingsFolder is null ? BenchApp.NewTemporaryFolder() : Directory.CreateDirectory(settingsFolder).FullName;
        var child = ChildProcess.Start(bare ? ["example-server", "--settings-folder", folder, "--bare"] : ["example-server", "--settings-folder", folder]);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var address = await child.ReadUntilAsync(ReadyPrefix, null, timeout.Token);
            return new ExampleServerHost(new Uri(address.Trim()), folder, settingsFolder is null, child);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>CPU time (user + system) the server's process has used so far, in seconds.</summary>
    public double CpuSeconds() => _child.CpuSeconds();

    /// <summary>Stops the server (closing its stdin tells it to; it also stops if this process dies).</summary>
    public async ValueTask DisposeAsync()
    {
        await _child.DisposeAsync();
        if (_ownsFolder)
        {
            Directory.Delete(SettingsFolder, recursive: true);
        }
    }

    private static async Task<WebApplication> StartAppAsync(string settingsFolder, bool bare)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", "--environment", "Production"];
        WebApplication app;
        if (bare)
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            app = builder.Build();
            var value = "50"u8.ToArray();
            app.MapGet("/value", (RequestDelegate)(async context =>
            {
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = value.Length;
                await context.Response.Body.WriteAsync(value, context.RequestAborted);
            }));
        }
        else
        {
            app = ExampleApp.CreateApp(args, builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Services.Configure<LabThingsOptions>(o => o.SettingsFolder = settingsFolder);
            });
        }

        await app.StartAsync();
        return app;
    }
}
