using LabThings.Server;
using LabThings.Server.Actions;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
using LabThings.Server.OpenApi;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds LabThings to an application's services.</summary>
public static class LabThingsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the LabThings server: Thing hosting and lifecycle, problem details for errors, the OpenAPI
    /// document and Swagger UI. Add Things with the returned builder, then call <c>app.MapThings()</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets <see cref="LabThingsOptions"/>; optional.</param>
    /// <returns>A builder to add Things with.</returns>
    public static LabThingsBuilder AddLabThings(this IServiceCollection services, Action<LabThingsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<LabThingsOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        // The configuration section LabThings (appsettings.json, environment variables, the command line) comes
        // after the code, so a deployment can change what the program set.
        services.AddSingleton<IConfigureOptions<LabThingsOptions>>(sp => new ConfigureNamedOptions<LabThingsOptions>(
            Options.Options.DefaultName,
            options => sp.GetService<IConfiguration>()?.GetSection("LabThings").Bind(options)));
        optionsBuilder.ValidateOnStart();
        SecurityServices.Add(services);

        services.TryAddSingleton<ThingHost>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BlobStore>();
        services.TryAddSingleton<GlobalLock>();
        services.TryAddSingleton<InvocationManager>();
        services.TryAddSingleton<ObservationHub>();
        services.AddHostedService<ThingLifecycleService>();
        services.TryAddSingleton<RequestLoad>();
        services.AddHostedService<MemoryAfterLoad>();
        services.AddProblemDetails();
        services.AddCors();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, LabThingsStartupFilter>());

        // Swashbuckle and API Explorer are built in services of LabThings' own when the OpenAPI document is first asked for.
        services.TryAddSingleton<OpenApiServices>();
        return new LabThingsBuilder(services);
    }
}
