using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Outputs;

namespace LabThings.Server.Actions;

/// <summary>Turns a request's JSON input into the values of an action's input parameters, validating it first.</summary>
internal static class ActionInputBinder
{
    /// <summary>Binds <paramref name="json"/>; throws <see cref="PropertyValidationException"/> listing every problem.</summary>
    public static (JsonObject Input, Dictionary<string, object?> Values) Bind(ActionDefinition action, string json, BlobStore blobs)
    {
        var problems = new List<ValidationProblem>(action.InputValidator.Validate(json));
        if (problems.Count > 0)
        {
            throw new PropertyValidationException(action.Name, problems);
        }

        var input = (JsonObject)JsonNode.Parse(json)!;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var parameter in action.Parameters.Where(p => p.Source == ActionParameterSource.Input))
        {
            if (!input.TryGetPropertyValue(parameter.Name, out var node))
            {
                continue;
            }

            if (parameter.IsBlob)
            {
                var href = node?["href"]?.GetValue<string>() ?? "";
                var blob = blobs.FromHref(href);
                if (blob is null)
                {
                    problems.Add(new ValidationProblem($"/{parameter.Name}/href", "blob", $"'{href}' is not a blob on this server (it may have expired)"));
                }

                values[parameter.Name] = blob;
                continue;
            }

            try
            {
                values[parameter.Name] = node.Deserialize(parameter.Type, LabThingsJson.Options);
            }
            catch (JsonException ex)
            {
                problems.Add(new ValidationProblem($"/{parameter.Name}", "type", ex.Message));
            }
        }

        return problems.Count > 0 ? throw new PropertyValidationException(action.Name, problems) : (input, values);
    }
}
