using LabThings.Examples;
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

    /// <summary>Starts the example server (the same app as examples/ExampleServer).</summary>
    public static Task<RunningServer> StartExampleAsync(Action<WebApplicationBuilder>? configure = null)
        => StartAsync(ExampleApp.CreateApp(Args, builder =>
        {
            Quiet(builder);
            configure?.Invoke(builder);
        }));

    /// <summary>Starts an app built by the test: <paramref name="configure"/> adds Things, MapThings is called here.</summary>
    public static Task<RunningServer> StartAsync(Action<WebApplicationBuilder> configure)
    {
        var builder = WebApplication.CreateBuilder(Args);
        Quiet(builder);
        configure(builder);
        var app = builder.Build();
        app.MapThings();
        return StartAsync(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }

    private static string[] Args => ["--urls", "http://127.0.0.1:0", "--environment", "Production"];

    private static void Quiet(WebApplicationBuilder builder) => builder.Logging.SetMinimumLevel(LogLevel.Warning);

    private static async Task<RunningServer> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new RunningServer(app);
    }
}
