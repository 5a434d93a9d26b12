using System.Linq.Expressions;
using LabThings.Model;
using LabThings.Server.Hosting;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LabThings.Server.Endpoints;

/// <summary>
/// Maps the Things' <see cref="HttpEndpointAttribute"/> methods as minimal-API endpoints under their paths: ASP.NET
/// Core binds their parameters and describes them in OpenAPI (tagged with the Thing's name); a filter applies the
/// same cross-site and permission checks as the Things' other endpoints.
/// </summary>
internal static class HttpEndpoints
{
    public static void Map(IEndpointRouteBuilder group, EndpointServices services)
    {
        foreach (var thing in services.Host.Things)
        {
            foreach (var endpoint in thing.Definition.HttpEndpoints)
            {
                Map(group, thing, endpoint, services);
            }
        }
    }

    private static void Map(IEndpointRouteBuilder group, HostedThing thing, HttpEndpointDefinition endpoint, EndpointServices services)
    {
        var method = endpoint.Member;
        var types = method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType).ToArray();
        var handler = method.IsStatic
            ? method.CreateDelegate(Expression.GetDelegateType(types))
            : method.CreateDelegate(Expression.GetDelegateType(types), thing.Thing);
        var operation = HttpMethods.IsGet(endpoint.Method) || HttpMethods.IsHead(endpoint.Method) ? Operation.Read : Operation.Write;
        var builder = group.MapMethods(ThingPaths.UnderThing(thing.Name, endpoint.Path), [endpoint.Method], handler)
            .WithTags(thing.Name)
            .WithName($"{thing.Name}_{method.Name}")
            .AddEndpointFilter(async (context, next) =>
            {
                var http = context.HttpContext;
                if (!await CrossSiteGuard.CheckAsync(http, services.Options).ConfigureAwait(false)
                    || !await AccessGuard.CheckAsync(http, services.Security, operation, thing.Name, endpoint.RequiredScopes).ConfigureAwait(false))
                {
                    return Results.Empty;
                }

                return await next(context).ConfigureAwait(false);
            });
        if (endpoint.Summary is { } summary)
        {
            builder.WithSummary(summary);
        }

        if (endpoint.Description is { } description)
        {
            builder.WithDescription(description);
        }
    }
}
