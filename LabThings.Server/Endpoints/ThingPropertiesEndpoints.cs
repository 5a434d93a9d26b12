using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Schema;
using LabThings.Server.Hosting;
using LabThings.Server.OpenApi;
using LabThings.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace LabThings.Server.Endpoints;

/// <summary>
/// Whole-Thing property operations at <c>/{thing}/properties</c>: <c>GET</c> reads every property, or those named in
/// <c>?names=a,b</c> (the TD's <c>readallproperties</c> and <c>readmultipleproperties</c>); <c>PUT</c> with an object
/// writes several at once, atomically: every value is validated first, and if any is refused, none is applied
/// (<c>writemultipleproperties</c>).
/// </summary>
internal static class ThingPropertiesEndpoints
{
    public static IEnumerable<ThingEndpoint> For(HostedThing thing, EndpointServices services)
    {
        if (thing.Definition.Properties.Length == 0)
        {
            yield break;
        }

        var route = ThingPaths.UnderThing(thing.Name, ThingPaths.PropertiesSegment);
        yield return new ThingEndpoint(
            ThingEndpointKind.PropertiesRead,
            "GET",
            route,
            thing,
            null,
            context => ReadAsync(context, thing),
            api => new OperationBuilder(api, $"Read properties of {thing.Name}", "Every property's value, by name; with ?names=a,b only those.")
                .QueryParameter("names", "Property names separated by commas (default: all)")
                .Json(200, "The values, by property name", new OpenApiSchema { Type = JsonSchemaType.Object })
                .Problem(404, "A name in ?names is not a property of this Thing"));
        yield return new ThingEndpoint(
            ThingEndpointKind.PropertiesWrite,
            "PUT",
            route,
            thing,
            null,
            context => WriteAsync(context, thing, services),
            api => new OperationBuilder(api, $"Write several properties of {thing.Name}", "Sets each property named in the body to its value, all or none: every value is checked first; if one is refused, nothing changes.")
                .Body(new OpenApiSchema { Type = JsonSchemaType.Object }, required: true)
                .Response(201, "Every value was written")
                .BodyProblems()
                .Problem(404, "A name is not a property of this Thing")
                .Problem(405, "A property is read-only")
                .Problem(409, "The server-wide lock is held")
                .Problem(422, "A value breaks its schema or the Thing refused it; the body's errors list each field (/{property}/…); nothing changed")
                .Problem(507, "A setting could not be saved; nothing changed"));
    }

    private static async Task ReadAsync(HttpContext context, HostedThing thing)
    {
        var caller = Caller.Of(context);
        IEnumerable<PropertyDefinition> properties = thing.Definition.Properties;
        if (context.Request.Query.TryGetValue("names", out var names))
        {
            var wanted = names.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (wanted.FirstOrDefault(n => thing.Definition.Find(n) is not PropertyDefinition) is { } unknown)
            {
                await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such property", $"'{Problems.Clip(unknown, 100)}' is not a property of '{thing.Name}'.").ConfigureAwait(false);
                return;
            }

            properties = wanted.Distinct(StringComparer.Ordinal).Select(n => (PropertyDefinition)thing.Definition.Find(n)!);
        }

        // Properties whose own scopes the caller lacks are left out of "all" and refused when named.
        var readable = properties.Where(p => caller.May(Operation.Read, thing.Name, p)).ToList();
        if (names.Count > 0 && readable.Count < properties.Count())
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Not permitted", "Your credentials do not grant reading every property named.").ConfigureAwait(false);
            return;
        }

        var result = new JsonObject();
        foreach (var property in readable)
        {
            result[property.Name] = JsonNode.Parse(thing.Thing.Properties[property.Name].GetJsonUtf8());
        }

        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, result).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, HostedThing thing, EndpointServices services)
    {
        var body = await JsonBodies.ReadAsync(context, allowEmpty: false).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (JsonNode.Parse(body) is not JsonObject values)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Not an object", "Send an object mapping property names to their new values.").ConfigureAwait(false);
            return;
        }

        // Phase 1: every name, permission and value is checked; nothing is set yet.
        var caller = Caller.Of(context);
        var parsed = new List<(ThingProperty Property, object? Value)>();
        var problems = new List<ValidationProblem>();
        foreach (var (name, value) in values)
        {
            if (thing.Definition.Find(name) is not PropertyDefinition definition)
            {
                await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such property", $"'{Problems.Clip(name, 100)}' is not a property of '{thing.Name}'; nothing was changed.").ConfigureAwait(false);
                return;
            }

            if (!definition.IsWritable)
            {
                await Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Property is read-only", $"'{name}' of '{thing.Name}' can be read but not written; nothing was changed.").ConfigureAwait(false);
                return;
            }

            if (!caller.May(Operation.Write, thing.Name, definition))
            {
                await AccessGuard.RefuseAsync(context, services.Security, caller, AccessGuard.Describe(Operation.Write, thing.Name, definition)).ConfigureAwait(false);
                return;
            }

            var property = thing.Thing.Properties[name];
            try
            {
                parsed.Add((property, property.ParseJson(value?.ToJsonString() ?? "null")));
            }
            catch (PropertyValidationException ex)
            {
                problems.AddRange(ex.Problems.Select(p => p with { Field = "/" + name + p.Field }));
            }
        }

        if (problems.Count > 0)
        {
            await Problems.WriteValidationAsync(context, "Some values were refused; nothing was changed: " + string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}")), problems).ConfigureAwait(false);
            return;
        }

        var lockHeld = false;
        if (parsed.Any(p => services.GlobalLock.Applies(p.Property.Definition)))
        {
            lockHeld = await services.GlobalLock.EnterForWriteAsync($"a write of several properties of '{thing.Name}'", context.RequestAborted).ConfigureAwait(false);
            if (!lockHeld)
            {
                await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Server busy", services.GlobalLock.Busy).ConfigureAwait(false);
                return;
            }
        }

        try
        {
            await ApplyAsync(context, thing, parsed).ConfigureAwait(false);
        }
        finally
        {
            if (lockHeld)
            {
                services.GlobalLock.Exit();
            }
        }
    }

    /// <summary>Phase 2: sets the values in order; if a setter refuses one or a setting cannot be saved, puts back the ones already set.</summary>
    private static async Task ApplyAsync(HttpContext context, HostedThing thing, List<(ThingProperty Property, object? Value)> parsed)
    {
        var previous = parsed.Select(p => p.Property.GetJsonUtf8()).ToList();
        var applied = 0;
        string? failure = null;
        var status = StatusCodes.Status422UnprocessableEntity;
        using (var failures = SettingsSaveFailures.Watch())
        {
            for (; applied < parsed.Count; applied++)
            {
                try
                {
                    parsed[applied].Property.SetParsed(parsed[applied].Value);
                }
                catch (ArgumentException ex)
                {
                    failure = $"'{parsed[applied].Property.Name}': {ex.Message}";
                    break;
                }

                if (failures.Reasons.Count > 0)
                {
                    failure = failures.Reasons[0];
                    status = StatusCodes.Status507InsufficientStorage;
                    applied++;
                    break;
                }
            }
        }

        if (failure is null)
        {
            context.Response.StatusCode = StatusCodes.Status201Created;
            return;
        }

        for (var i = applied - 1; i >= 0; i--)
        {
            try
            {
                parsed[i].Property.SetJson(System.Text.Encoding.UTF8.GetString(previous[i]));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The old value was valid a moment ago; if the Thing refuses it now, its own value stands.
            }
        }

        await Problems.WriteAsync(context, status, status == StatusCodes.Status507InsufficientStorage ? "Setting not saved" : "Value refused", $"{failure}. Nothing was changed.").ConfigureAwait(false);
    }
}
