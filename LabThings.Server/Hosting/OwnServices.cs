using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Hosting;

/// <summary>
/// A service provider of LabThings' own, built from <paramref name="register"/> when first asked for and disposed with
/// the application's services: for libraries most servers use rarely (the OpenAPI generator, the authentication
/// handlers), which registered with the application would be loaded by every server at start. It always has the
/// application's logging and <see cref="LabThingsOptions"/>; <paramref name="register"/> forwards whatever else it needs
/// from the application (the first argument) and adds the library's services.
/// </summary>
internal sealed class OwnServices(IServiceProvider application, Action<IServiceProvider, IServiceCollection> register) : IDisposable
{
    private readonly Lock _gate = new();
    private ServiceProvider? _services;
    private bool _disposed;

    /// <summary>The provider, built on the first call.</summary>
    /// <exception cref="ObjectDisposedException">The application's services have been disposed.</exception>
    public IServiceProvider Get()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _services ??= Build();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _services?.Dispose();
            _services = null;
        }
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddSingleton(application.GetRequiredService<ILoggerFactory>());
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(application.GetRequiredService<IOptions<LabThingsOptions>>());
        register(application, services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }
}
