using LabThings.Server.Hosting;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace LabThings.Server.OpenApi;

/// <summary>
/// Swashbuckle's OpenAPI generator and ASP.NET Core's API Explorer, in services of LabThings' own that are built when
/// the document is first asked for. Registering them with the application would load MVC's assemblies into every
/// server at start (about 2 MiB of resident memory, session 9 in docs/performance.md) for a document most servers
/// build rarely or never.
/// </summary>
/// <remarks>
/// From the application these services see what the generator needs: its endpoints (so the application's own
/// minimal-API endpoints are described beside the Things'), which types are its services (so a handler's service
/// parameters are not taken for request parameters), its environment, JSON options and logging, and its own
/// <c>ConfigureSwaggerGen</c> configuration. A filter the application adds gets its constructor arguments from its
/// registration (<c>DocumentFilter&lt;T&gt;(args)</c>) or from the services listed here, not from the application's
/// other services.
/// </remarks>
internal sealed class OpenApiServices(IServiceProvider application) : IDisposable
{
    private readonly OwnServices _services = new(application, Register);

    /// <summary>The generator, built on first use.</summary>
    public IAsyncSwaggerProvider Provider => _services.Get().GetRequiredService<IAsyncSwaggerProvider>();

    public void Dispose() => _services.Dispose();

    // Called only when the provider is first built, so Swashbuckle and MVC are loaded then.
    private static void Register(IServiceProvider application, IServiceCollection services)
    {
        services.AddSingleton(application.GetRequiredService<IWebHostEnvironment>());
        services.AddSingleton<IHostEnvironment>(sp => sp.GetRequiredService<IWebHostEnvironment>());
        services.AddSingleton(application.GetRequiredService<EndpointDataSource>());
        services.AddSingleton(application.GetRequiredService<ParameterPolicyFactory>());
        services.AddSingleton(application.GetRequiredService<IOptions<HttpJsonOptions>>());
        services.AddSingleton(application.GetRequiredService<SecurityPolicy>());

        services.AddEndpointsApiExplorer();
        AskTheApplicationWhichTypesAreServices(services, application.GetRequiredService<IServiceProviderIsService>());
        services.AddSwaggerGen();
        services.AddOptions<SwaggerGenOptions>().Configure<IOptions<LabThingsOptions>>((swagger, labThings) =>
        {
            swagger.SwaggerDoc(OpenApiContext.DocumentName, new OpenApiInfo
            {
                Title = labThings.Value.Title,
                Version = typeof(LabThings.Thing).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
                Description = "HTTP API of the Things on this server. Each Thing's W3C Thing Description is at /{thing}/.",
            });
            swagger.DocumentFilter<ThingsDocumentFilter>();
        });

        // The application's own configuration (services.ConfigureSwaggerGen, AddSwaggerGen(options => …)) comes after
        // LabThings', as it would if the generator were registered with the application.
        foreach (var configure in application.GetServices<IConfigureOptions<SwaggerGenOptions>>())
        {
            services.AddSingleton(configure);
        }

        foreach (var configure in application.GetServices<IPostConfigureOptions<SwaggerGenOptions>>())
        {
            services.AddSingleton(configure);
        }
    }

    /// <summary>
    /// API Explorer leaves a handler's service parameters out of its description by asking which types are services;
    /// its providers are given the application's answer rather than that of these few services.
    /// </summary>
    private static void AskTheApplicationWhichTypesAreServices(IServiceCollection services, IServiceProviderIsService applicationServices)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(IApiDescriptionProvider) && services[i].ImplementationType is { } provider
                && provider.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(IServiceProviderIsService))))
            {
                services[i] = ServiceDescriptor.Describe(
                    typeof(IApiDescriptionProvider),
                    sp => ActivatorUtilities.CreateInstance(sp, provider, applicationServices),
                    services[i].Lifetime);
            }
        }
    }
}
