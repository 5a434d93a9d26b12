using System.Text;
using LabThings.Server;
using LabThings.Server.Endpoints;
using LabThings.Server.OpenApi;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace LabThings.Tests.Support;

/// <summary>
/// The endpoint tier: Things mapped into a route builder, with no server running. Tests take an endpoint from the
/// data source and invoke its request delegate on a <see cref="DefaultHttpContext"/>, as ASP.NET Core's own routing
/// tests do; each response's status is checked against the statuses the endpoint's OpenAPI description lists.
/// </summary>
internal sealed class MappedThings : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MappedThings(WebApplication app)
    {
        _app = app;
        Endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
    }

    public IReadOnlyList<RouteEndpoint> Endpoints { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Maps the Things <paramref name="add"/> adds (and runs nothing).</summary>
    public static MappedThings Create(Action<LabThingsBuilder> add, Action<LabThingsOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var folder = RunningServer.NewTemporaryFolder();
        add(builder.Services.AddLabThings(options =>
        {
            options.SettingsFolder = folder;
            configure?.Invoke(options);
        }));
        var app = builder.Build();
        app.MapThings();
        return new MappedThings(app);
    }

    /// <summary>The one endpoint for <paramref name="method"/> and <paramref name="route"/>, or null if none is mapped.</summary>
    public RouteEndpoint? Find(string method, string route)
        => Endpoints.SingleOrDefault(e => e.RoutePattern.RawText == route && e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Contains(method));

    /// <summary>Invokes the endpoint for <paramref name="method"/> and <paramref name="route"/> on a fresh <see cref="DefaultHttpContext"/>.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="route">The route pattern, e.g. <c>/action_invocations/{id}</c>.</param>
    /// <param name="body">A request body, if any.</param>
    /// <param name="contentType">The body's media type.</param>
    /// <param name="routeValues">Values of the route's parameters.</param>
    /// <param name="path">The request path, when it is not the route itself.</param>
    /// <param name="query">The query string, e.g. <c>?limit=2</c>.</param>
    /// <param name="requestBody">A request body stream (no Content-Length), instead of <paramref name="body"/>.</param>
    /// <param name="responseBody">Where the response body goes; a memory stream if null.</param>
    /// <param name="cancellationToken">Becomes the request's <c>RequestAborted</c>.</param>
    public async Task<EndpointResponse> InvokeAsync(
        string method,
        string route,
        string? body = null,
        string? contentType = "application/json",
        IReadOnlyDictionary<string, string>? routeValues = null,
        string? path = null,
        string? query = null,
        Stream? requestBody = null,
        Stream? responseBody = null,
        CancellationToken cancellationToken = default)
    {
        var endpoint = Find(method, route) ?? throw new InvalidOperationException($"No endpoint {method} {route} is mapped.");
        var context = new DefaultHttpContext { RequestServices = _app.Services, RequestAborted = cancellationToken };
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("lab.example", 5000);
        context.Request.Path = path ?? route;
        context.Request.QueryString = new QueryString(query);
        foreach (var (name, value) in routeValues ?? new Dictionary<string, string>())
        {
            context.Request.RouteValues[name] = value;
        }

        if (requestBody is not null)
        {
            context.Request.Body = requestBody;
            context.Request.ContentType = contentType;
        }
        else if (body is not null)
        {
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            context.Request.ContentLength = context.Request.Body.Length;
            context.Request.ContentType = contentType;
        }

        var captured = responseBody ?? new MemoryStream();
        context.Response.Body = captured;
        context.SetEndpoint(endpoint);
        await endpoint.RequestDelegate!(context);
        await context.Response.BodyWriter.FlushAsync(CancellationToken.None);

        var status = context.Response.StatusCode;
        Documented(endpoint, Services.GetRequiredService<SecurityPolicy>()).Should().Contain(status, $"{method} {route} answered {status}, so its OpenAPI description must list it");
        return new EndpointResponse(status, context.Response.Headers, context.Response.ContentType, captured is MemoryStream memory ? memory.ToArray() : []);
    }

    /// <summary>The statuses the endpoint's OpenAPI description lists.</summary>
    public static IReadOnlySet<int> Documented(Endpoint endpoint, SecurityPolicy? security = null)
    {
        var description = endpoint.Metadata.GetMetadata<ThingEndpoint>() ?? throw new InvalidOperationException($"{endpoint.DisplayName} is not a LabThings endpoint.");
        var operation = description.ToOperation(
            new OpenApiContext(new OpenApiDocument(), new SchemaRepository()),
            security ?? new SecurityPolicy(Microsoft.Extensions.Options.Options.Create(new LabThingsOptions())));
        return operation.Responses!.Keys.Select(int.Parse).ToHashSet();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>What an endpoint wrote.</summary>
internal sealed record EndpointResponse(int Status, IHeaderDictionary Headers, string? ContentType, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}
