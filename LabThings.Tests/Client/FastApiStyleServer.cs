using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Client;

/// <summary>
/// A stand-in for a labthings-fastapi server on real Kestrel: it serves Client/Fixtures/fastapi-style-thing.td.json
/// at <c>/stage/</c> (with any <c>securityDefinitions</c> the test asks for) and answers as labthings-fastapi does:
/// PUT 201, FastAPI's 422 <c>{"detail": [{loc, msg, type}]}</c>, actions 201 with an invocation whose
/// <c>links</c> has <c>self</c>, blob outputs as <c>{href, media_type}</c>. It records each request's Authorization header.
/// </summary>
internal sealed class FastApiStyleServer : IAsyncDisposable
{
    public static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Invocation> _invocations = new();
    private double _exposure = 0.1;

    private FastApiStyleServer(WebApplication app) => _app = app;

    public Uri ThingUrl { get; private set; } = null!;

    /// <summary>The Authorization header of every request, in order (empty string when absent).</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    public static async Task<FastApiStyleServer> StartAsync(JsonObject? securityDefinitions = null, string? security = null)
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var server = new FastApiStyleServer(app);
        var fixture = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "LabThings.Tests", "Client", "Fixtures", "fastapi-style-thing.td.json"));
        app.Use((context, next) =>
        {
            server.Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            return next(context);
        });
        app.MapGet("/stage/", (HttpContext context) =>
        {
            var td = JsonNode.Parse(fixture.Replace("{{base}}", server.ThingUrl.AbsoluteUri, StringComparison.Ordinal))!.AsObject();
            if (securityDefinitions is not null)
            {
                td["securityDefinitions"] = securityDefinitions.DeepClone();
                td["security"] = security;
            }

            return Results.Text(td.ToJsonString(), "application/json");
        });
        app.MapGet("/stage/exposure", () => Results.Json(server._exposure));
        app.MapPut("/stage/exposure", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body);
            if (body is not JsonValue value || !value.TryGetValue<double>(out var exposure))
            {
                return Results.Json(
                    new { detail = new[] { new { type = "float_parsing", loc = new object[] { "body" }, msg = "Input should be a valid number", input = body } } },
                    statusCode: 422);
            }

            server._exposure = exposure;
            return Results.StatusCode(201);
        });
        app.MapGet("/stage/status", () => Results.Json("idle"));
        app.MapPost("/stage/{action}", async (string action, HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var text = await reader.ReadToEndAsync();
            var steps = text.Length > 0 && JsonNode.Parse(text)?["steps"] is JsonValue s ? s.GetValue<int>() : 3;
            var invocation = new Invocation(Guid.NewGuid().ToString("N"), action, steps);
            server._invocations[invocation.Id] = invocation;
            return Results.Json(server.Describe(invocation), statusCode: 201);
        });
        app.MapGet("/action_invocations/{id}", (string id) =>
        {
            if (!server._invocations.TryGetValue(id, out var invocation))
            {
                return Results.Json(new { detail = "No action invocation found with ID " + id }, statusCode: 404);
            }

            invocation.Polls++;
            return Results.Json(server.Describe(invocation));
        });
        app.MapGet("/blob/{id}", (string id) => id == "frame1" ? Results.Bytes(Png, "image/png") : Results.Json(new { detail = "No such blob" }, statusCode: 404));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.ThingUrl = new Uri(new Uri(address + "/"), "stage/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The invocation as labthings-fastapi shows it: pending, then running for a poll per step, then its end.</summary>
    private JsonObject Describe(Invocation invocation)
    {
        var href = new Uri(ThingUrl, "../action_invocations/" + invocation.Id).AbsoluteUri;
        var finished = invocation.Polls > invocation.Steps;
        var status = invocation.Polls == 0 ? "pending" : !finished ? "running" : invocation.Action == "home" ? "error" : "completed";
        JsonNode? output = status != "completed" ? null
            : invocation.Action == "grab_image" ? new JsonObject { ["href"] = "/blob/frame1", ["media_type"] = "image/png" }
            : invocation.Steps * 10;
        return new JsonObject
        {
            ["status"] = status,
            ["id"] = invocation.Id,
            ["action"] = "/stage/" + invocation.Action,
            ["href"] = href,
            ["timeRequested"] = "2026-01-01T00:00:00Z",
            ["timeStarted"] = null,
            ["timeCompleted"] = null,
            ["links"] = new JsonArray(new JsonObject { ["rel"] = "self", ["href"] = href }),
            ["input"] = new JsonObject(),
            ["output"] = output,
            ["log"] = status == "error"
                ? new JsonArray(new JsonObject { ["message"] = "No limit switch", ["levelname"] = "ERROR" })
                : new JsonArray(),
        };
    }

    private sealed class Invocation(string id, string action, int steps)
    {
        public string Id { get; } = id;

        public string Action { get; } = action;

        public int Steps { get; } = steps;

        public int Polls { get; set; }
    }
}
