using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json.Nodes;
using LabThings.Schema;

namespace LabThings.Model;

/// <summary>Where an action parameter's value comes from.</summary>
public enum ActionParameterSource
{
    /// <summary>The client's input: a member of the input JSON object.</summary>
    Input,

    /// <summary>The invocation's <see cref="CancellationToken"/>.</summary>
    CancellationToken,

    /// <summary>The invocation's logger.</summary>
    Logger,

    /// <summary>The invocation's progress reporter.</summary>
    Progress,

    /// <summary>The <see cref="ActionContext"/>.</summary>
    Context,
}

/// <summary>One parameter of an action method.</summary>
/// <param name="Name">The name in the input object (snake_case of the C# name).</param>
/// <param name="Type">The parameter's type.</param>
/// <param name="Source">Where its value comes from.</param>
/// <param name="Required">Whether the client must give it (an input parameter without a default).</param>
/// <param name="Parameter">The C# parameter.</param>
public sealed record ActionParameter(string Name, Type Type, ActionParameterSource Source, bool Required, ParameterInfo Parameter)
{
    /// <summary>The value used when the client leaves the parameter out.</summary>
    public object? DefaultValue => Parameter.HasDefaultValue ? Parameter.DefaultValue : null;

    /// <summary>Whether the parameter is a <see cref="Outputs.Blob"/>, given by the client as <c>{"href": …}</c>.</summary>
    public bool IsBlob => Type == typeof(Outputs.Blob);
}

/// <summary>An action of a Thing type: a method tagged <see cref="ThingActionAttribute"/>.</summary>
public sealed record ActionDefinition : AffordanceDefinition
{
    private readonly JsonObject _input = [];
    private readonly Lazy<SchemaValidator> _validator;

    internal ActionDefinition()
    {
        _validator = new(() => new SchemaValidator(_input));
    }

    /// <inheritdoc />
    public override AffordanceKind Kind => AffordanceKind.Action;

    /// <summary>The C# method.</summary>
    public MethodInfo Method => (MethodInfo)Member;

    /// <summary>Every parameter, framework-supplied ones included, in the method's order.</summary>
    public required ImmutableArray<ActionParameter> Parameters { get; init; }

    /// <summary>The type of the output, or null if the action returns nothing (<c>void</c> or <c>Task</c>).</summary>
    public Type? OutputType { get; init; }

    /// <summary>Whether the output is a <see cref="Outputs.Blob"/>.</summary>
    public bool OutputIsBlob => OutputType == typeof(Outputs.Blob);

    /// <summary>The media type a blob output always has, if declared (see <see cref="ThingActionAttribute.OutputMediaType"/>).</summary>
    public string? OutputMediaType { get; init; }

    /// <summary>How long a finished invocation is kept.</summary>
    public required TimeSpan Retention { get; init; }

    /// <summary>The lock the action holds while it runs, or null (see <see cref="ThingActionAttribute.Lock"/>).</summary>
    public string? Lock { get; init; }

    /// <summary>Whether a request is refused (rather than queued) while the lock is held.</summary>
    public bool RefuseWhenLocked { get; init; }

    /// <summary>TD <c>safe</c>.</summary>
    public bool Safe { get; init; }

    /// <summary>TD <c>idempotent</c>.</summary>
    public bool Idempotent { get; init; }

    /// <summary>The JSON schema of the input object.</summary>
    internal JsonObject InputSchemaNode { get => _input; init => _input = value; }

    /// <summary>The JSON schema of the output, or null if there is none.</summary>
    internal JsonObject? OutputSchemaNode { get; init; }

    /// <summary>Calls the method with arguments in parameter order and awaits it, giving its result (null for none).</summary>
    internal Func<Thing, object?[], Task<object?>> Invoker { get; init; } = (_, _) => throw new InvalidOperationException("This action definition has no invoker.");

    internal SchemaValidator InputValidator => _validator.Value;

    /// <summary>Returns a copy of the input's JSON schema (an object with one member per input parameter).</summary>
    /// <returns>A new <see cref="JsonObject"/>.</returns>
    public JsonObject GetInputSchema() => (JsonObject)_input.DeepClone();

    /// <summary>Returns a copy of the output's JSON schema, or null if the action returns nothing.</summary>
    /// <returns>A new <see cref="JsonObject"/>, or null.</returns>
    public JsonObject? GetOutputSchema() => (JsonObject?)OutputSchemaNode?.DeepClone();
}
