using System.CommandLine;
using System.Diagnostics;
using LabThings.Examples;
using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Benchmarks;

/// <summary>
/// The example server (<see cref="ExampleApp.CreateApp"/>: camera, counter, light) on 127.0.0.1 with an
/// ephemeral port, warning-level logging and its settings in a temporary folder; either in a child process
/// (this program's <c>example-server</c> command, the default) or in this process. With <c>bare</c>, instead
/// an ASP.NET Core app with no LabThings at all and one endpoint, <c>GET /value</c>, answering <c>50</c> as
/// JSON the way a property read does: the floor that Kestrel and routing set on this machine.
/// </summary>
internal sealed class ExampleServerHost : IAsyncDisposable
{
    private const string ReadyPrefix = "LISTENING ";

    private readonly WebApplication? _app;
    private readonly Process? _child;
    private readonly bool _ownsFolder;

    private ExampleServerHost(Uri baseAddress, string settingsFolder, bool ownsFolder, WebApplication? app, Process? child)
    {
        (BaseAddress, SettingsFolder, _ownsFolder, _app, _child) = (baseAddress, settingsFolder, ownsFolder, app, child);
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public string SettingsFolder { get; }

    public bool InProcess => _app is not null;

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

            await StopAsync(app);
            return 0;
        });
        return command;
    }

    public static async Task<ExampleServerHost> StartAsync(bool inProcess, string? settingsFolder, bool bare = false)
    {
        var folder = settingsFolder is null ? BenchApp.NewTemporaryFolder() : Directory.CreateDirectory(settingsFolder).FullName;
        if (inProcess)
        {
            var app = await StartAppAsync(folder, bare);
            return new ExampleServerHost(BenchApp.Address(app), folder, settingsFolder is null, app, null);
        }

        var child = Process.Start(ThisProgram.StartInfo(bare ? ["example-server", "--settings-folder", folder, "--bare"] : ["example-server", "--settings-folder", folder]))
            ?? throw new InvalidOperationException("Could not start the example server.");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
                {
                    return new ExampleServerHost(new Uri(line[ReadyPrefix.Length..].Trim()), folder, settingsFolder is null, null, child);
                }
            }

            throw new InvalidOperationException($"The example server process ended before listening (exit code {(child.HasExited ? child.ExitCode : -1)}).");
        }
        catch
        {
            child.Kill();
            child.Dispose();
            throw;
        }
    }

    /// <summary>CPU time (user + system) the server's process has used so far, in seconds.</summary>
    public double CpuSeconds()
    {
        using var self = _child is null ? Process.GetCurrentProcess() : null;
        var process = _child ?? self!;
        process.Refresh();
        return process.TotalProcessorTime.TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await StopAsync(_app);
        }

        if (_child is not null)
        {
            // Closing its stdin tells the child to stop; it also stops if this process dies.
            _child.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _child.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _child.Kill();
            }

            _child.Dispose();
        }

        if (_ownsFolder)
        {
            Directory.Delete(SettingsFolder, recursive: true);
        }
    }

    private static async Task StopAsync(WebApplication app)
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await app.StopAsync(timeout.Token);
        }

        await app.DisposeAsync();
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
