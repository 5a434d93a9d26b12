using System.Diagnostics;
using LabThings.Examples;
using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication? _app;
    private readonly Process? _child;
    private readonly bool _ownsFolder;

    private ExampleServerHost(Uri baseAddress, string settingsFolder, bool ownsFolder, WebApplication? app, Process? child)
    {
        BaseAddress = baseAddress;
        SettingsFolder = settingsFolder;
        _ownsFolder = ownsFolder;
        _app = app;
        _child = child;
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public string SettingsFolder { get; }

    public bool InProcess => _app is not null;

    public static async Task<ExampleServerHost> StartAsync(bool inProcess, string? settingsFolder, bool bare = false)
    {
        var ownsFolder = settingsFolder is null;
        var folder = settingsFolder ?? Path.Combine(Path.GetTempPath(), "labthings-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        if (inProcess)
        {
            var app = await StartAppAsync(folder, bare);
            return new ExampleServerHost(Address(app), folder, ownsFolder, app, null);
        }

        var info = ThisProgram.StartInfo("example-server");
        info.ArgumentList.Add("--settings-folder");
        info.ArgumentList.Add(folder);
        if (bare)
        {
            info.ArgumentList.Add("--bare");
        }

        var child = new Process { StartInfo = info };
        child.Start();
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
                {
                    return new ExampleServerHost(new Uri(line[ReadyPrefix.Length..].Trim() + "/"), folder, ownsFolder, null, child);
                }
            }

            throw new InvalidOperationException($"The example server process ended before listening (exit code {(child.HasExited ? child.ExitCode : -1)}).");
        }
        catch
        {
            if (!child.HasExited)
            {
                child.Kill();
            }

            child.Dispose();
            throw;
        }
    }

    /// <summary>CPU time (user + system) the server's process has used so far, in seconds.</summary>
    public double CpuSeconds()
    {
        if (_child is null)
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime.TotalSeconds;
        }

        _child.Refresh();
        return _child.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The server process's working set, bytes.</summary>
    public long WorkingSet()
    {
        if (_child is null)
        {
            using var self = Process.GetCurrentProcess();
            return self.WorkingSet64;
        }

        _child.Refresh();
        return _child.WorkingSet64;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
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
            try
            {
                Directory.Delete(SettingsFolder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it is a temporary folder.
            }
        }
    }

    /// <summary>The <c>example-server</c> command: serve until stdin closes; print the address when listening.</summary>
    public static async Task<int> ChildMainAsync(string settingsFolder, bool bare)
    {
        var app = await StartAppAsync(settingsFolder, bare);
        await Console.Out.WriteLineAsync(ReadyPrefix + Address(app).AbsoluteUri.TrimEnd('/'));
        await Console.Out.FlushAsync();
        while (await Console.In.ReadLineAsync() is not null)
        {
            // Nothing is sent; wait for end of input.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
        return 0;
    }

    private static async Task<WebApplication> StartAppAsync(string settingsFolder, bool bare)
    {
        if (bare)
        {
            var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var bareApp = builder.Build();
            var value = "50"u8.ToArray();
            bareApp.MapGet("/value", (RequestDelegate)(async context =>
            {
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = value.Length;
                await context.Response.Body.WriteAsync(value, context.RequestAborted);
            }));
            await bareApp.StartAsync();
            return bareApp;
        }

        var app = ExampleApp.CreateApp(["--urls", "http://127.0.0.1:0", "--environment", "Production"], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.Configure<LabThingsOptions>(o => o.SettingsFolder = settingsFolder);
        });
        await app.StartAsync();
        return app;
    }

    private static Uri Address(WebApplication app)
        => new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/') + "/");
}

/// <summary>Starts this same program in a child process with another command.</summary>
internal static class ThisProgram
{
    public static ProcessStartInfo StartInfo(string command)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this program's path.");
        info.FileName = host;
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(ThisProgram).Assembly.Location);
        }

        info.ArgumentList.Add(command);
        return info;
    }
}
