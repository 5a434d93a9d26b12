using LabThings.Cameras.Ffmpeg;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Examples;

/// <summary>The example server: a synthetic camera, a counter and a light (and an FFmpeg camera when <c>Camera:Ffmpeg:Input</c> is configured). <c>Program.cs</c> runs it; the tests start the same app.</summary>
public static class ExampleApp
{
    /// <summary>The address the example listens on unless <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>Builds the example server.</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--urls http://127.0.0.1:0</c>.</param>
    /// <param name="configure">Adjusts the builder before the app is built (tests use this); optional.</param>
    /// <returns>The app, ready to run.</returns>
    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The slim builder, as labthings-server and the project template use: without IIS integration, hosting-startup
        // assemblies and the Debug and EventSource logging providers, none of which serves a lab PC (docs/hosting.md).
        // Kestrel's HTTPS configuration (Kestrel:Endpoints with a certificate) is added back.
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseKestrelHttpsConfiguration();

        // Logging defaults, below every other configuration source (appsettings.json, environment variables and the
        // command line override them): ASP.NET Core's per-request lines only from Warning up, so a busy instrument does
        // not fill a disk with them (e.g. --Logging:LogLevel:Microsoft.AspNetCore=Information brings them back).
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var things = builder.Services.AddLabThings(options =>
            {
                options.Title = "LabThings example server";

                // The autofocus takes any ICamera; with an FFmpeg camera added below there are two, and the synthetic
                // one is the camera whose picture follows the (synthetic) stage.
                options.Slots["autofocus"] = new Dictionary<string, string> { ["Camera"] = "camera" };
            })
            .AddThing<SyntheticCamera>("camera", _ => new SyntheticCamera())
            .AddThing<Counter>("counter")
            .AddThing<Light>("light")
            .AddThing<Stage>("stage")
            .AddThing<Autofocus>("autofocus");
        configure?.Invoke(builder);

        // A real camera through FFmpeg, only when configured, e.g. --Camera:Ffmpeg:Input /dev/video0
        // (or --Camera:Ffmpeg:Input testsrc2 --Camera:Ffmpeg:InputFormat lavfi): served as /ffmpeg_camera/.
        var ffmpeg = builder.Configuration.GetSection("Camera:Ffmpeg");
        if (!string.IsNullOrEmpty(ffmpeg["Input"]))
        {
            var options = ffmpeg.Get<FfmpegCameraOptions>();
            things.AddThing("ffmpeg_camera", _ => new FfmpegCamera(options));
        }

        var app = builder.Build();
        app.MapThings();
        return app;
    }
}
