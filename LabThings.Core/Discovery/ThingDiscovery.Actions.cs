using System.Collections.Immutable;
using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Outputs;
using LabThings.Schema;
using Microsoft.Extensions.Logging;

namespace LabThings;

internal static partial class ThingDiscovery
{
    private static readonly MethodInfo AwaitTaskOfT = typeof(ThingDiscovery).GetMethod(nameof(AwaitTaskAsync), BindingFlags.Static | BindingFlags.NonPublic)!;
    private static readonly MethodInfo AwaitValueTaskOfT = typeof(ThingDiscovery).GetMethod(nameof(AwaitValueTaskAsync), BindingFlags.Static | BindingFlags.NonPublic)!;

    private static ActionDefinition? DiscoverAction(MemberInfo member, ThingActionAttribute attribute, string where, List<string> problems)
    {
        var before = problems.Count;
        if (member is not MethodInfo method)
        {
            problems.Add($"{where}: [ThingAction] belongs on a method");
            return null;
        }

        if (method.IsStatic || method.IsGenericMethodDefinition)
        {
            problems.Add($"{where}: an action must be a non-generic instance method");
            return null;
        }

        var parameters = new List<ActionParameter>();
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var parameter in method.GetParameters())
        {
            var type = parameter.ParameterType;
            var at = $"{where}, parameter '{parameter.Name}'";
            if (type.IsByRef || parameter.IsOut)
            {
                problems.Add($"{at}: is passed by reference (LT0005): action input comes from a JSON body, so pass it by value and return results");
                continue;
            }

            var source = type == typeof(CancellationToken) ? ActionParameterSource.CancellationToken
                : type == typeof(ILogger) ? ActionParameterSource.Logger
                : type == typeof(IProgress<double>) ? ActionParameterSource.Progress
                : type == typeof(ActionContext) ? ActionParameterSource.Context
                : ActionParameterSource.Input;
            var name = WireNames.FromMember(parameter.Name ?? $"arg{parameter.Position}");
            var isRequired = source == ActionParameterSource.Input && !parameter.HasDefaultValue;
            parameters.Add(new ActionParameter(name, source, isRequired, parameter));
            if (source != ActionParameterSource.Input || !CheckSendable(type, at, problems))
            {
                continue;
            }

            var nullable = !type.IsValueType && Nullability.Create(parameter).WriteState == NullabilityState.Nullable;
            var schema = type == typeof(Blob) ? BlobSchema.Create() : JsonSchemaGenerator.Generate(LabThingsJson.Options, type, parameter, null, nullable, at, problems);
            if (schema is null)
            {
                continue;
            }

            if (parameter.GetCustomAttribute<DescriptionAttribute>()?.Description is { } description)
            {
                schema["description"] = description;
            }

            if (parameter.HasDefaultValue)
            {
                schema["default"] = System.Text.Json.JsonSerializer.SerializeToNode(parameter.DefaultValue, type, LabThingsJson.Options);
            }
            else
            {
                required.Add(name);
            }

            properties[name] = schema;
        }

        if (method.ReturnType == typeof(void) && method.GetCustomAttribute<System.Runtime.CompilerServices.AsyncStateMachineAttribute>() is not null)
        {
            problems.Add($"{where}: the action is async void, so the server cannot wait for it and an exception in it would end the process (LT0002): return Task");
        }

        var outputType = UnwrapReturnType(method.ReturnType);
        JsonObject? outputSchema = null;
        if (outputType == typeof(Blob))
        {
            outputSchema = BlobSchema.Create();
        }
        else if (outputType is not null && CheckSendable(outputType, $"{where}, return value", problems))
        {
            var nullable = !outputType.IsValueType && Nullability.Create(method.ReturnParameter).ReadState == NullabilityState.Nullable
                && outputType == method.ReturnType;
            outputSchema = JsonSchemaGenerator.Generate(LabThingsJson.Options, outputType, method.ReturnParameter, null, nullable, $"{where}, return value", problems);
        }

        var wireName = attribute.Name ?? WireNames.FromMember(method.Name);
        if (WireNames.AffordanceNameProblem(wireName) is { } nameProblem)
        {
            problems.Add($"{where}: {nameProblem}");
        }

        if (attribute.OutputMediaType is not null && outputType != typeof(Blob))
        {
            problems.Add($"{where}: OutputMediaType applies only to actions that return a Blob");
        }

        if (attribute.RetentionSeconds < 0)
        {
            problems.Add($"{where}: RetentionSeconds cannot be negative");
        }

        if (problems.Count > before)
        {
            return null;
        }

        var input = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required.Count > 0)
        {
            input["required"] = required;
        }

        var options = new ActionOptions(
            attribute.OutputMediaType,
            TimeSpan.FromSeconds(attribute.RetentionSeconds),
            attribute.Lock,
            attribute.RefuseWhenLocked,
            attribute.Safe,
            attribute.Idempotent);
        return new ActionDefinition(
            wireName,
            attribute.Title ?? WireNames.Humanize(wireName),
            attribute.Description ?? method.GetCustomAttribute<DescriptionAttribute>()?.Description,
            method,
            [.. parameters],
            outputType,
            input,
            outputSchema,
            options,
            CompileInvoker(method));
    }

    /// <summary>The type an action's caller receives: <c>T</c> for <c>T</c>, <c>Task&lt;T&gt;</c> and <c>ValueTask&lt;T&gt;</c>; null for void, Task and ValueTask.</summary>
    private static Type? UnwrapReturnType(Type returnType)
    {
        if (returnType == typeof(void) || returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return null;
        }

        if (returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return returnType.GetGenericArguments()[0];
        }

        return returnType;
    }
}
