using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LabThings.Model;

namespace LabThings;

public abstract partial class Thing
{
    private readonly ConcurrentDictionary<string, string> _defaults = new(StringComparer.Ordinal);
    private ThingPropertyCollection? _properties;
    private Lock[]? _propertyLocks;

    /// <summary>This Thing's properties by wire name: metadata, value, default, reset.</summary>
    public ThingPropertyCollection Properties => _properties ??= new ThingPropertyCollection(this);

    /// <summary>
    /// Stores <paramref name="value"/> in <paramref name="field"/> and, if it changed, notifies observers and
    /// saves settings. Call it from the setter of a data property: <c>set => SetProperty(ref field, value);</c>.
    /// Callable from any thread; concurrent calls for one property are stored and reported in one order.
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
        if (definition is null)
        {
            // Not a [ThingProperty]: nothing to tell anyone.
            var changed = !EqualityComparer<T>.Default.Equals(field, value);
            field = value;
            return changed;
        }

        if (definition.ValidateOwnWrites)
        {
            var problems = definition.Validator.Validate(JsonSerializer.Serialize(value, definition.ValueType, LabThingsJson.Options));
            if (problems.Count > 0)
            {
                throw new PropertyValidationException(definition.Name, problems);
            }
        }

        // Storing and reporting under the property's lock keeps the host's view (the settings file, observers) in
        // the order the values were stored, even when several threads set the property at once.
        lock (PropertyLock(definition))
        {
            if (EqualityComparer<T>.Default.Equals(field, value))
            {
                return false;
            }

            field = value;
            _connection?.PropertyChanged(definition, value);
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
        _connection?.FunctionalPropertyChanged(definition);
    }

    /// <summary>The default of a data property as JSON, or null if it has none (functional, or not yet attached).</summary>
    internal string? DefaultJson(PropertyDefinition property) => _defaults.GetValueOrDefault(property.Name);

    /// <summary>Remembers the current value of every data property as its default (when the Thing is attached).</summary>
    private void CaptureDefaults()
    {
        foreach (var property in Definition.Properties.Where(p => !p.IsFunctional))
        {
            _defaults[property.Name] = JsonSerializer.Serialize(property.GetValue(this), property.ValueType, LabThingsJson.Options);
        }
    }

    private Lock PropertyLock(PropertyDefinition property)
    {
        var locks = _propertyLocks;
        if (locks is null)
        {
            var created = new Lock[Definition.Properties.Length];
            for (var i = 0; i < created.Length; i++)
            {
                created[i] = new Lock();
            }

            locks = Interlocked.CompareExchange(ref _propertyLocks, created, null) ?? created;
        }

        return locks[property.Index];
    }
}
