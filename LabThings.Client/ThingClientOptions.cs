using System.Text.Json;

namespace LabThings.Client;

/// <summary>Settings of a <see cref="ThingClient"/>.</summary>
public sealed class ThingClientOptions
{
    /// <summary>Credentials for the Thing's <c>basic</c> or <c>bearer</c> security scheme; none by default.</summary>
    public ThingCredentials? Credentials { get; init; }

    /// <summary>
    /// Converts the typed helpers' values to and from JSON. Default: <see cref="JsonSerializerDefaults.Web"/>
    /// (camelCase names when writing, names matched without regard to case when reading). Things that use
    /// snake_case names, as LabThings does, want <see cref="JsonNamingPolicy.SnakeCaseLower"/>.
    /// </summary>
    public JsonSerializerOptions SerializerOptions { get; init; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The longest wait between two polls of a running action invocation; the first poll comes after 50 ms and the
    /// wait grows from there. Default: one second.
    /// </summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
