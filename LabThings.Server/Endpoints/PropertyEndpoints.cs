using LabThings.Model;
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
        yield return Write(thing, property);
        if (property.Observable)
        {
            yield return Observe(thing, property, services);
        }

        // Read-only means read-only for clients: they cannot reset it either (labthings-fastapi lets them).
        if (property.IsResettable && property.IsWritable)
        {
            yield return Reset(thing, property);
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

    private static ThingEndpoint Write(HostedThing thing, PropertyDefinition property) => new(
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
                thing.Thing.Properties[property.Name].SetJson(body);
            }
            catch (PropertyValidationException ex)
            {
                await Problems.WriteValidationAsync(context, ex.Message, ex.Problems).ConfigureAwait(false);
                return;
            }
            catch (ArgumentException ex)
            {
                // The Thing's setter refused the value (e.g. ArgumentOutOfRangeException).
                await Problems.WriteValidationAsync(context, $"Invalid value for '{property.Name}': {ex.Message}", [new ValidationProblem("", "setter", ex.Message)]).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
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
            return property.IsWritable
                ? operation.Response(201, "The value was written").BodyProblems().Problem(422, "The value breaks the schema, or the Thing refused it; the body's errors list each field and rule")
                : operation.Problem(405, "The property is read-only");
        });

    private static ThingEndpoint Reset(HostedThing thing, PropertyDefinition property) => new(
        ThingEndpointKind.PropertyReset,
        "POST",
        ThingPaths.UnderThing(thing.Name, ThingPaths.RelativeReset(property.Name)),
        thing,
        property,
        context =>
        {
            var value = thing.Thing.Properties[property.Name];
            value.Reset();
            return JsonResponses.WriteUtf8Async(context, StatusCodes.Status200OK, value.GetJsonUtf8());
        },
        api => new OperationBuilder(api, $"Reset {property.Title}", $"Sets '{property.Name}' back to its default and returns the new value.")
            .Json(200, "The value after the reset", ValueSchema(api, thing, property)));

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
