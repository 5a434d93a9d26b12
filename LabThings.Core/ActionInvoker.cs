using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Outputs;
using LabThings.Schema;

namespace LabThings;

/// <summary>
/// Turns a client's JSON input into an action's arguments and calls the action: the part of running an
/// invocation that depends on the action's parameters. The server keeps the invocation's life (status, log,
/// retention, locks).
/// </summary>
internal static class ActionInvoker
{
    /// <summary>
    /// Validates <paramref name="json"/> (a complete JSON text) against the action's input schema and reads the value
    /// of each input parameter the client gave. A blob parameter is given as <c>{"href": …}</c> and found with
    /// <paramref name="resolveBlob"/>.
    /// </summary>
    /// <returns>The input object as sent, and the values by parameter name.</returns>
    /// <exception cref="PropertyValidationException">The input breaks the schema; lists every problem.</exception>
    public static (JsonObject Input, Dictionary<string, object?> Values) BindInput(ActionDefinition action, string json, Func<string, Blob?> resolveBlob)
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
                var blob = resolveBlob(href);
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

    /// <summary>
    /// Calls the action on <paramref name="thing"/>: input parameters from <paramref name="inputs"/> (their defaults
    /// when absent), the others (cancellation token, logger, progress, context) from <paramref name="context"/>.
    /// </summary>
    /// <returns>The action's result, or null if it returns nothing. An exception the action throws synchronously is in the task.</returns>
    public static Task<object?> InvokeAsync(Thing thing, ActionDefinition action, IReadOnlyDictionary<string, object?> inputs, ActionContext context)
    {
        var parameters = action.Parameters;
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            arguments[i] = parameter.Source switch
            {
                ActionParameterSource.CancellationToken => context.CancellationToken,
                ActionParameterSource.Logger => context.Logger,
                ActionParameterSource.Progress => context.Progress,
                ActionParameterSource.Context => context,
                _ => inputs.TryGetValue(parameter.Name, out var value) ? value : parameter.DefaultValue,
            };
        }

        // The action runs on a context that catches exceptions from async void work it starts, and with the Thing's
        // Logger writing to this invocation's log (both flow into the action's awaits and the methods it calls).
        var previous = SynchronizationContext.Current;
        using var scope = thing.EnterInvocation(context.Logger);
        SynchronizationContext.SetSynchronizationContext(new ActionSynchronizationContext(context.Logger));
        try
        {
            return action.InvokeAsync(thing, arguments);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }
}
