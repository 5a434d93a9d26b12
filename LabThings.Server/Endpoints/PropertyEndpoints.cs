using LabThings.Model;
using LabThings.Server.Actions;
using LabThings.Schema;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
using LabThings.Server.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace LabThings.Server.Endpoints;

/// <summary>A property's endpoints: read, write, reset and observe (Server-Sent Events).</summary>
internal static class PropertyEndpoints
{
    public static IEnumerable<ThingEndpoint> For(HostedThing thing, PropertyDefinition property, EndpointServices services)
    {
        yield return Read(thing, property);
        yield return Write(thing, property, services);
        if (property.Observable)
        {
            yield return Observe(thing, property, services);
            foreach (var longPoll in LongPollEndpoint.Create(thing, property, ObservationKind.Property, services))
            {
                yield return longPoll;
            }
        }

        // Read-only means read-only for clients: they cannot reset it either (labthings-fastapi lets them).
        if (property.IsResettable && property.IsWritable)
        {
            yield return Reset(thing, property, services);
        }
    }

    private static ThingEndpoint Read(HostedThing thing, PropertyDefinition property) => new(
        ThingEndpointKind.PropertyRead,
        "GET",
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(property.Name)),
        thing,
        property,
        async context =>
        {
            byte[] json;
            try
            {
                json = thing.Thing.Properties[property.Name].GetJsonUtf8();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A functional getter talks to hardware; its failure is the server's, reported as a problem.
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "Reading the property failed", $"Reading '{property.Name}' of '{thing.Name}' failed: {ex.Message}").ConfigureAwait(false);
                return;
            }

            await JsonResponses.WriteUtf8Async(context, StatusCodes.Status200OK, json).ConfigureAwait(false);
        },
        api => new OperationBuilder(api, $"Read {property.Title}", $"{About(property)}Returns the current value of '{property.Name}'.")
            .Json(200, $"The value of '{property.Name}'", ValueSchema(api, thing, property))
            .Problem(500, "The property's getter failed (e.g. the hardware did not answer)"));

    private static ThingEndpoint Write(HostedThing thing, PropertyDefinition property, EndpointServices services) => new(
        ThingEndpointKind.PropertyWrite,
        "PUT",
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeAffordance(property.Name)),
        thing,
        property,
        async context =>
        {
            if (!property.IsWritable)
            {
                context.Response.Headers.Allow = "GET";
                await Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Property is read-only", $"'{property.Name}' of '{thing.Name}' can be read but not written.").ConfigureAwait(false);
                return;
            }

            var body = await JsonBodies.ReadAsync(context, allowEmpty: false).ConfigureAwait(false);
            if (body is null)
            {
                return;
            }

            try
            {
                if (await ChangeAsync(context, thing, property, services.GlobalLock, value => value.SetJson(body)).ConfigureAwait(false))
                {
                    context.Response.StatusCode = StatusCodes.Status201Created;
                }
            }
            catch (PropertyValidationException ex)
            {
                await Problems.WriteValidationAsync(context, ex.Message, ex.Problems).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // The Thing's setter refused the value (e.g. ArgumentOutOfRangeException).
                await Problems.WriteValidationAsync(context, $"Invalid value for '{property.Name}': {ex.Message}", [new ValidationProblem("", "setter", ex.Message)]).ConfigureAwait(false);
            }
        },
        api =>
        {
            var operation = new OperationBuilder(
                    api,
                    $"Write {property.Title}",
                    property.IsWritable
                        ? $"{About(property)}Sets '{property.Name}'. The value is validated against its schema; an invalid value is refused with 422 and changes nothing."
                        : $"'{property.Name}' is read-only: writing it is refused with 405.")
                .Body(ValueSchema(api, thing, property), required: true);
            if (!property.IsWritable)
            {
                return operation.Problem(405, "The property is read-only");
            }

            operation.Response(201, "The value was written").BodyProblems().Problem(422, "The value breaks the schema, or the Thing refused it; the body's errors list each field and rule");
            if (services.GlobalLock.Applies(property))
            {
                operation.Problem(409, GlobalLockDescription);
            }

            return property.IsSetting ? operation.Problem(507, NotSavedDescription) : operation;
        });

    private static ThingEndpoint Reset(HostedThing thing, PropertyDefinition property, EndpointServices services) => new(
        ThingEndpointKind.PropertyReset,
        "POST",
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeReset(property.Name)),
        thing,
        property,
        async context =>
        {
            if (await ChangeAsync(context, thing, property, services.GlobalLock, value => value.Reset()).ConfigureAwait(false))
            {
                await JsonResponses.WriteUtf8Async(context, StatusCodes.Status200OK, thing.Thing.Properties[property.Name].GetJsonUtf8()).ConfigureAwait(false);
            }
        },
        api =>
        {
            var operation = new OperationBuilder(api, $"Reset {property.Title}", $"Sets '{property.Name}' back to its default and returns the new value.")
                .Json(200, "The value after the reset", ValueSchema(api, thing, property));
            if (services.GlobalLock.Applies(property))
            {
                operation.Problem(409, GlobalLockDescription);
            }

            return property.IsSetting ? operation.Problem(507, NotSavedDescription) : operation;
        });

    private const string GlobalLockDescription = "The server-wide lock is held (by a running action or another write); the detail says by what";

    private const string NotSavedDescription = "A setting: the new value could not be saved to disk, so it was not changed";

    /// <summary>
    /// Makes <paramref name="change"/> to the property. For a setting whose new value cannot be saved (a full or
    /// read-only disk, a directory in the way), the old value is put back and the request answered 507: a value the
    /// server would forget at its next start is never acknowledged. True if the change stands.
    /// </summary>
    private static async Task<bool> ChangeAsync(HttpContext context, HostedThing thing, PropertyDefinition property, GlobalLock globalLock, Action<ThingProperty> change)
    {
        if (!globalLock.Applies(property))
        {
            return await ChangeAsync(context, thing, property, change).ConfigureAwait(false);
        }

        if (!await globalLock.EnterForWriteAsync($"a write of '{property.Name}' of '{thing.Name}'", context.RequestAborted).ConfigureAwait(false))
        {
            await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Server busy", globalLock.Busy).ConfigureAwait(false);
            return false;
        }

        try
        {
            return await ChangeAsync(context, thing, property, change).ConfigureAwait(false);
        }
        finally
        {
            globalLock.Exit();
        }
    }

    private static async Task<bool> ChangeAsync(HttpContext context, HostedThing thing, PropertyDefinition property, Action<ThingProperty> change)
    {
        var value = thing.Thing.Properties[property.Name];
        var previous = property.IsSetting ? value.GetJsonUtf8() : null;
        using var failures = SettingsSaveFailures.Watch();
        change(value);
        if (failures.Reasons.Count == 0 || previous is null)
        {
            return true;
        }

        try
        {
            value.SetJson(System.Text.Encoding.UTF8.GetString(previous));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The old value was valid a moment ago; if the Thing refuses it now, its own value stands.
        }

        await Problems.WriteAsync(context, StatusCodes.Status507InsufficientStorage, "Setting not saved", $"{failures.Reasons[0]}. The value was not changed.").ConfigureAwait(false);
        return false;
    }

    private static ThingEndpoint Observe(HostedThing thing, PropertyDefinition property, EndpointServices services) => SseEndpoint.Create(
        ThingEndpointKind.PropertyObserve,
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeSse(property.Name)),
        thing,
        property,
        ObservationKind.Property,
        services,
        $"Observe {property.Title}",
        $"Each change of '{property.Name}' as a Server-Sent Events record whose data is the new value (JSON).");

    private static IOpenApiSchema ValueSchema(OpenApiContext api, HostedThing thing, PropertyDefinition property)
        => api.Model(OpenApiContext.Id(thing.Definition, property), property.GetSchema());

    private static string About(PropertyDefinition property) => property.Description is { } d ? d + ". " : "";
}
