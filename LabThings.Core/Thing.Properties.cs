using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LabThings.Model;

namespace LabThings;

public abstract partial class Thing
{
    private readonly ConcurrentDictionary<string, string> _defaults = new(StringComparer.Ordinal);
    private ThingPropertyCollection? _properties;

    /// <summary>Raised after a property's value changes (from any thread, on that thread). Used by the server.</summary>
    internal event Action<Thing, PropertyDefinition>? PropertyValueChanged;

    /// <summary>This Thing's properties by wire name: metadata, value, default, reset.</summary>
    public ThingPropertyCollection Properties => _properties ??= new ThingPropertyCollection(this);

    /// <summary>
    /// Stores <paramref name="value"/> in <paramref name="field"/> and, if it changed, notifies observers and
    /// saves settings. Call it from the setter of a data property: <c>set => SetProperty(ref field, value);</c>.
    /// Callable from any thread.
    /// </summary>
    /// <typeparam name="T">The property's type.</typeparam>
    /// <param name="field">The backing field.</param>
    /// <param name="value">The new value.</param>
    /// <param name="propertyName">Filled in by the compiler: the calling property.</param>
    /// <returns>True if the value changed.</returns>
    /// <exception cref="PropertyValidationException">
    /// The class has <see cref="ValidatePropertyWritesAttribute"/> and the value breaks the property's schema; nothing is stored.
    /// </exception>
    protected bool SetProperty<T>(ref T field, T value, [CallerMemberName] string propertyName = "")
    {
        var definition = Definition.FindPropertyByMember(propertyName);
        if (definition is { ValidateOwnWrites: true })
        {
            var problems = definition.Validator.Validate(JsonSerializer.Serialize(value, definition.ValueType, LabThingsJson.Options));
            if (problems.Count > 0)
            {
                throw new PropertyValidationException(definition.Name, problems);
            }
        }

        if (EqualityComparer<T>.Default.Equals(field, value))
        {
            return false;
        }

        field = value;
        if (definition is not null)
        {
            PropertyValueChanged?.Invoke(this, definition);
        }

        return true;
    }

    /// <summary>
    /// Tells observers that a property's value has changed, for functional properties (whose values
    /// <see cref="SetProperty{T}"/> never sees). Data properties notify by themselves.
    /// </summary>
    /// <param name="propertyName">The C# name of the property (use <c>nameof</c>).</param>
    /// <exception cref="ArgumentException">No <see cref="ThingPropertyAttribute"/> property has that name.</exception>
    protected void NotifyPropertyChanged(string propertyName)
    {
        var definition = Definition.FindPropertyByMember(propertyName)
            ?? throw new ArgumentException($"{GetType().Name} has no [ThingProperty] named {propertyName}.", nameof(propertyName));
        PropertyValueChanged?.Invoke(this, definition);
    }

    /// <summary>Remembers the current value of every data property as its default (called once, when the Thing is added).</summary>
    internal void CaptureDefaults()
    {
        foreach (var property in Definition.Properties.Where(p => !p.IsFunctional))
        {
            _defaults[property.Name] = JsonSerializer.Serialize(property.Getter(this), property.ValueType, LabThingsJson.Options);
        }
    }

    /// <summary>The default of a data property as JSON, or null if it has none (functional, or not yet captured).</summary>
    internal string? DefaultJson(PropertyDefinition property) => _defaults.GetValueOrDefault(property.Name);
}
