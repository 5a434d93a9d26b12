using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json.Nodes;
using LabThings.Outputs;
using LabThings.Schema;

namespace LabThings.Model;

/// <summary>Where an action parameter's value comes from.</summary>
public enum ActionParameterSource
{
    /// <summary>The client's input: a member of the input JSON object.</summary>
    Input,

    /// <summary>The invocation's <see cref="System.Threading.CancellationToken"/>.</summary>
    CancellationToken,

    /// <summary>The invocation's logger.</summary>
    Logger,

    /// <summary>The invocation's progress reporter.</summary>
    Progress,

    /// <summary>The action context (<c>ActionContext</c>).</summary>
    Context,
}

/// <summary>One parameter of an action method.</summary>
public sealed class ActionParameter
{
    internal ActionParameter(string name, ActionParameterSource source, bool required, ParameterInfo parameter)
    {
        Name = name;
        Source = source;
        Required = required;
        Parameter = parameter;
    }

    /// <summary>The name in the input object (snake_case of the C# name).</summary>
    public string Name { get; }

    /// <summary>The parameter's type.</summary>
    public Type Type => Parameter.ParameterType;

    /// <summary>Where its value comes from.</summary>
    public ActionParameterSource Source { get; }

    /// <summary>Whether the client must give it (an input parameter without a default).</summary>
    public bool Required { get; }

    /// <summary>The C# parameter.</summary>
    public ParameterInfo Parameter { get; }

    /// <summary>The value used when the client leaves the parameter out.</summary>
    public object? DefaultValue => Parameter.HasDefaultValue ? Parameter.DefaultValue : null;

    /// <summary>Whether the parameter is a <see cref="Blob"/>, given by the client as <c>{"href": …}</c>.</summary>
    public bool IsBlob => Type == typeof(Blob);
}

/// <summary>An action of a Thing type: a method tagged <c>[ThingAction]</c>.</summary>
public sealed class ActionDefinition : AffordanceDefinition
{
    private readonly JsonObject _input;
    private readonly JsonObject? _output;
    private readonly Lazy<SchemaValidator> _validator;
    private readonly Func<object, object?[], Task<object?>> _invoker;

    internal ActionDefinition(
        string name,
        string title,
        string? description,
        MethodInfo method,
        ImmutableArray<ActionParameter> parameters,
        Type? outputType,
        JsonObject inputSchema,
        JsonObject? outputSchema,
        ActionOptions options,
        Func<object, object?[], Task<object?>> invoker)
        : base(name, title, description, method)
    {
        Parameters = parameters;
        OutputType = outputType;
        OutputMediaType = options.OutputMediaType;
        Retention = options.Retention;
        Lock = options.Lock;
        RefuseWhenLocked = options.RefuseWhenLocked;
        Safe = options.Safe;
        Idempotent = options.Idempotent;
        _input = (JsonObject)inputSchema.DeepClone();
        _output = (JsonObject?)outputSchema?.DeepClone();
        _validator = new(() => new SchemaValidator(_input));
        _invoker = invoker;
    }

    /// <summary>The C# method.</summary>
    public MethodInfo Method => (MethodInfo)Member;

    /// <summary>Every parameter, framework-supplied ones included, in the method's order.</summary>
    public ImmutableArray<ActionParameter> Parameters { get; }

    /// <summary>The type of the output, or null if the action returns nothing (<c>void</c> or <c>Task</c>).</summary>
    public Type? OutputType { get; }

    /// <summary>Whether the output is a <see cref="Blob"/>.</summary>
    public bool OutputIsBlob => OutputType == typeof(Blob);

    /// <summary>The media type a blob output always has, if declared.</summary>
    public string? OutputMediaType { get; }

    /// <summary>How long a finished invocation is kept.</summary>
    public TimeSpan Retention { get; }

    /// <summary>The lock the action holds while it runs, or null.</summary>
    public string? Lock { get; }

    /// <summary>Whether a request is refused (rather than queued) while the lock is held.</summary>
    public bool RefuseWhenLocked { get; }

    /// <summary>TD <c>safe</c>: the action changes nothing.</summary>
    public bool Safe { get; }

    /// <summary>TD <c>idempotent</c>: invoking it twice with one input has the effect of once.</summary>
    public bool Idempotent { get; }

    /// <summary>Whether the client must send an input object (some input parameter has no default).</summary>
    public bool InputRequired => Parameters.Any(p => p.Required);

    /// <summary>The JSON schema of the input object. Owned by this definition: read it, never change it.</summary>
    internal JsonObject InputSchemaNode => _input;

    /// <summary>The JSON schema of the output, or null. Owned by this definition: read it, never change it.</summary>
    internal JsonObject? OutputSchemaNode => _output;

    /// <summary>Validates input objects against <see cref="InputSchemaNode"/>; built on first use.</summary>
    internal SchemaValidator InputValidator => _validator.Value;

    /// <summary>Returns a copy of the input's JSON schema (an object with one member per input parameter).</summary>
    /// <returns>A new <see cref="JsonObject"/>.</returns>
    public JsonObject GetInputSchema() => (JsonObject)_input.DeepClone();

    /// <summary>Returns a copy of the output's JSON schema, or null if the action returns nothing.</summary>
    /// <returns>A new <see cref="JsonObject"/>, or null.</returns>
    public JsonObject? GetOutputSchema() => (JsonObject?)_output?.DeepClone();

    /// <summary>Calls the method on a Thing of this definition's type with arguments in parameter order, and awaits it; its result, or null for none.</summary>
    internal Task<object?> InvokeAsync(object thing, object?[] arguments) => _invoker(thing, arguments);
}

/// <summary>What the <c>[ThingAction]</c> attribute says about how an action runs and is described.</summary>
internal sealed record ActionOptions(string? OutputMediaType, TimeSpan Retention, string? Lock, bool RefuseWhenLocked, bool Safe, bool Idempotent);
