using LabThings.Model;
using LabThings.Outputs;
using LabThings.Server;
using LabThings.Server.Actions;
using LabThings.Server.Endpoints;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
using LabThings.Server.OpenApi;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoints of the Things added with <c>AddLabThings()</c>.</summary>
public static class LabThingsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every Thing's endpoints (its Thing Description at <c>/{thing}/</c>, its properties, actions, events and
    /// streams), the server-wide <c>/things/</c>, <c>/thing_descriptions/</c>, <c>/action_invocations</c> and
    /// <c>/blob/{id}</c>, and the OpenAPI document at <c>/openapi.json</c> (Swagger UI is served at <c>/docs</c>), and the web page at
    /// <see cref="LabThingsOptions.UiPath"/>.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <returns>A builder to add conventions (authorization, CORS, …) to every LabThings endpoint.</returns>
    /// <exception cref="ThingDefinitionException">A Thing cannot be described or a name is invalid; lists every problem.</exception>
    /// <exception cref="InvalidOperationException"><c>AddLabThings()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapThings(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var provider = endpoints.ServiceProvider;
        if (provider.GetService<IServiceProviderIsService>()?.IsService(typeof(ThingHost)) is true)
        {
            // Checked here, before the container creates the host, so a problem is thrown from the application's own
            // MapThings() call and its stack trace is two lines, not the container's.
            ThingHost.Validate([.. provider.GetServices<ThingRegistration>()], provider.GetService<IServiceProviderIsService>());
        }

        ThingHost? host;
        try
        {
            host = provider.GetService<ThingHost>();
        }
        catch (ThingDefinitionException ex)
        {
            // A Thing's constructor or factory failed while the container built the host: the same problem, thrown
            // again from here so that the stack under the message is the application's; the cause keeps its own.
            throw ex.InnerException is { } cause ? new ThingDefinitionException(ex.Problems[0], cause) : new ThingDefinitionException(ex.Problems);
        }

        if (host is null)
        {
            throw new InvalidOperationException("Call services.AddLabThings() before app.MapThings().");
        }
        var options = provider.GetRequiredService<IOptions<LabThingsOptions>>().Value;
        var services = new EndpointServices(
            host,
            options,
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetRequiredService<InvocationManager>(),
            provider.GetRequiredService<BlobStore>(),
            provider.GetRequiredService<ObservationHub>(),
            provider.GetRequiredService<SecurityPolicy>(),
            provider.GetRequiredService<GlobalLock>(),
            options.StreamConcurrentSends is { } sends ? new StreamSendLimiter(sends, StreamSendLimiter.DefaultHold, TimeProvider.System) : null);

        var group = endpoints.MapGroup("");
        foreach (var endpoint in ThingEndpointFactory.Create(services))
        {
            var handler = CrossSiteGuard.Wrap(endpoint, AccessGuard.Wrap(endpoint, endpoint.Handler, services.Security), services.Options);
            group.MapMethods(endpoint.Route, [endpoint.Method], handler)
                .WithMetadata(endpoint)
                .WithDisplayName($"LabThings {endpoint.Kind} {endpoint.Method} {endpoint.Route}");
        }

        HttpEndpoints.Map(group, services);
        group.MapMethods(ThingPaths.OpenApiDocument, [HttpMethods.Get, HttpMethods.Head], OpenApiDocumentEndpoint.HandleAsync).ExcludeFromDescription();
        LabThings.Server.Ui.UiEndpoints.Map(group, services.Options);
        return group;
    }
}
