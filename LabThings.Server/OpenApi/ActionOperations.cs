using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Server.Routing;
using Microsoft.OpenApi;

namespace LabThings.Server.OpenApi;

/// <summary>OpenAPI operations for actions, invocations and blobs.</summary>
internal static class ActionOperations
{
    public static OpenApiOperation Describe(ThingEndpointMetadata metadata, ActionDefinition action, string id, OpenApiDocument document)
    {
        var about = action.Description is { } d ? d + ". " : "";
        var output = action.OutputIsBlob
            ? null
            : action.GetOutputSchema() is { } schema ? OpenApiSchemas.From(schema, document) : null;
        switch (metadata.Kind)
        {
            case ThingEndpointKind.ActionInvocations:
                return ThingsDocumentFilter.Operation(id, $"List invocations of {action.Title}", $"Every kept invocation of '{action.Name}', oldest first.", ThingsDocumentFilter.Ok("The invocations", "application/json", new OpenApiSchema { Type = JsonSchemaType.Array, Items = Invocation(output) }));
            case ThingEndpointKind.ActionInvoke:
                var invoke = WithInput(
                    new OpenApiOperation
                    {
                        OperationId = id,
                        Summary = $"Start {action.Title}",
                        Description = about + "Starts the action in the background and answers at once with the invocation: poll its href until its status is completed, cancelled or error.",
                        Responses = new OpenApiResponses
                        {
                            ["201"] = new OpenApiResponse
                            {
                                Description = "The invocation, started",
                                Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = Invocation(output) } },
                            },
                        },
                    },
                    action,
                    document);
                InputProblems(invoke, action);
                return invoke;
            default:
                var wait = WithInput(
                    new OpenApiOperation
                    {
                        OperationId = id,
                        Summary = $"Run {action.Title} and wait for its output",
                        Description = about + "Runs the action and answers with its output when it finishes. If it takes longer than the server's limit (30 s by default), answers 202 with the invocation to poll instead.",
                        Responses = new OpenApiResponses
                        {
                            ["202"] = new OpenApiResponse
                            {
                                Description = "Still running: the invocation",
                                Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = Invocation(output) } },
                            },
                        },
                    },
                    action,
                    document);
                if (action.OutputIsBlob)
                {
                    wait.Responses!["200"] = ThingsDocumentFilter.Ok("The output's bytes, with its media type", "application/octet-stream", ThingsDocumentFilter.Binary());
                }
                else if (output is not null)
                {
                    wait.Responses!["200"] = ThingsDocumentFilter.Ok("The output", "application/json", output);
                }
                else
                {
                    wait.Responses!["204"] = new OpenApiResponse { Description = "Finished; the action has no output" };
                }

                InputProblems(wait, action);
                ThingsDocumentFilter.Problem(wait, "409", "Cancelled before it finished, or the action is busy");
                ThingsDocumentFilter.Problem(wait, "500", "The action failed");
                return wait;
        }
    }

    public static OpenApiOperation? DescribeServerWide(ThingEndpointMetadata metadata, string id)
    {
        switch (metadata.Kind)
        {
            case ThingEndpointKind.InvocationList:
                return ThingsDocumentFilter.Operation(id, "List every invocation", "Every kept action invocation on the server, oldest first.", ThingsDocumentFilter.Ok("The invocations", "application/json", new OpenApiSchema { Type = JsonSchemaType.Array, Items = Invocation(null) }));
            case ThingEndpointKind.Invocation:
                var get = WithId(ThingsDocumentFilter.Operation(id, "Get an invocation", "Its status, input, output, log and error.", ThingsDocumentFilter.Ok("The invocation", "application/json", Invocation(null))));
                ThingsDocumentFilter.Problem(get, "404", "No such invocation (finished ones expire)");
                return get;
            case ThingEndpointKind.InvocationOutput:
                var output = WithId(ThingsDocumentFilter.Operation(id, "Get an invocation's output", "The output as JSON, or a blob's bytes with its media type.", ThingsDocumentFilter.Ok("The output", "application/json", new OpenApiSchema())));
                ThingsDocumentFilter.Problem(output, "404", "No such invocation");
                ThingsDocumentFilter.Problem(output, "503", "The invocation has not completed");
                return output;
            case ThingEndpointKind.InvocationCancel:
                var cancel = WithId(ThingsDocumentFilter.Operation(id, "Cancel an invocation", "Requests cancellation; the invocation ends with status cancelled when the action stops.", ThingsDocumentFilter.Ok("The invocation", "application/json", Invocation(null))));
                ThingsDocumentFilter.Problem(cancel, "404", "No such invocation");
                ThingsDocumentFilter.Problem(cancel, "409", "The invocation has already finished");
                return cancel;
            case ThingEndpointKind.Blob:
                var blob = WithId(ThingsDocumentFilter.Operation(id, "Download a blob", "Data returned by an action, with its media type; kept as long as its invocation.", ThingsDocumentFilter.Ok("The bytes", "application/octet-stream", ThingsDocumentFilter.Binary())));
                ThingsDocumentFilter.Problem(blob, "404", "No such blob");
                return blob;
            default:
                return null;
        }
    }

    private static OpenApiOperation WithInput(OpenApiOperation operation, ActionDefinition action, OpenApiDocument document)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = action.InputRequired,
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = OpenApiSchemas.From(action.GetInputSchema(), document) } },
        };
        return operation;
    }

    private static void InputProblems(OpenApiOperation operation, ActionDefinition action)
    {
        ThingsDocumentFilter.Problem(operation, "400", "The body is not valid JSON");
        ThingsDocumentFilter.Problem(operation, "422", "The input breaks the schema; the body's errors list each field and rule");
        if (action.RefuseWhenLocked)
        {
            ThingsDocumentFilter.Problem(operation, "409", "The action's lock is held by another invocation");
        }
    }

    private static OpenApiOperation WithId(OpenApiOperation operation)
    {
        operation.Parameters = [new OpenApiParameter { Name = "id", In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } }];
        return operation;
    }

    /// <summary>The invocation model, with the action's output schema when known.</summary>
    private static OpenApiSchema Invocation(IOpenApiSchema? output)
    {
        static OpenApiSchema Text(string description, string? format = null) => new() { Type = JsonSchemaType.String, Format = format, Description = description };
        static OpenApiSchema NullableTime(string description) => new() { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date-time", Description = description };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An action invocation",
            Required = new HashSet<string> { "status", "id", "action", "href", "timeRequested", "links", "input", "output", "log", "error" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("pending")!, JsonValue.Create("running")!, JsonValue.Create("completed")!, JsonValue.Create("cancelled")!, JsonValue.Create("error")!] },
                ["id"] = Text("The invocation's id", "uuid"),
                ["action"] = Text("The action's path"),
                ["href"] = Text("The invocation's URL", "uri"),
                ["timeRequested"] = Text("When it was requested", "date-time"),
                ["timeStarted"] = NullableTime("When it started running"),
                ["timeCompleted"] = NullableTime("When it finished"),
                ["links"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Object } },
                ["input"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "The input it was given" },
                ["output"] = output ?? new OpenApiSchema { Description = "The output, once completed" },
                ["log"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Object }, Description = "Log records written while it ran" },
                ["error"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null, Description = "Problem details if it failed" },
                ["progress"] = new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Null, Description = "Fraction done (0 to 1), if the action reports progress" },
            },
        };
    }
}
