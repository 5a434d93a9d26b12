using LabThings.Schema;

namespace LabThings.Model;

/// <summary>A value for a property failed validation against the property's schema; the value was not stored.</summary>
public sealed class PropertyValidationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="propertyName">The property's wire name.</param>
    /// <param name="problems">Every problem found.</param>
    public PropertyValidationException(string propertyName, IReadOnlyList<ValidationProblem> problems)
        : base($"Invalid value for '{propertyName}': " + string.Join("; ", problems.Select(p => p.Message)))
    {
        PropertyName = propertyName;
        Problems = problems;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public PropertyValidationException()
        : this("value", [])
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">What is wrong.</param>
    public PropertyValidationException(string message)
        : base(message)
    {
        PropertyName = "";
        Problems = [];
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PropertyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        PropertyName = "";
        Problems = [];
    }

    /// <summary>The property's wire name.</summary>
    public string PropertyName { get; }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; }
}
