using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Benchmarks;

/// <summary>In-process Kestrel on 127.0.0.1 with an ephemeral port, serving one <see cref="BenchCamera"/> as "camera".</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Camera = app.Services.GetRequiredService<BenchCamera>();
    }

    public int Port { get; }

    public BenchCamera Camera { get; }

    public static async Task<BenchServer> StartAsync(MjpegSettings settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--urls", "http://127.0.0.1:0"],
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (settings.ResponseBufferBytes is { } responseBuffer)
        {
            builder.WebHost.ConfigureKestrel(k => k.Limits.MaxResponseBufferSize = responseBuffer);
        }

        if (settings.TransportWriteBufferBytes is { } transportBuffer)
        {
            builder.WebHost.UseSockets(s => s.MaxWriteBufferSize = transportBuffer);
        }

        builder.Services.AddLabThings(options =>
        {
            options.SwaggerUi = false;
            if (settings.SendBufferOs)
            {
                options.StreamSocketSendBufferBytes = null;
            }
            else if (settings.SendBufferBytes is { } sendBuffer)
            {
                options.StreamSocketSendBufferBytes = sendBuffer;
            }
        }).AddThing<BenchCamera>("camera");
        var app = builder.Build();
        app.MapThings();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new BenchServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
