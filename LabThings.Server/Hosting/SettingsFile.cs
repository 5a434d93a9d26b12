using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using Microsoft.Extensions.Logging;

namespace LabThings.Server.Hosting;

/// <summary>
/// One Thing's settings (<c>[ThingSetting]</c> properties) on disk: a JSON object of their values. <see cref="Load"/>
/// restores them when the Thing is added; after that the file is handed each changed setting's value
/// (<see cref="Save"/>) and rewritten. Writing makes a temporary file, flushes it to disk and renames it over the
/// old one, so a crash never leaves a half-written file. Loading never fails: a missing file keeps the defaults;
/// a corrupt one is kept aside as <c>{file}.corrupt</c> and the defaults are used; each invalid or unknown entry
/// is logged and skipped. Thread-safe.
/// </summary>
internal sealed partial class SettingsFile(string thingName, string path, ILogger logger)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonDocumentOptions StrictReading = new() { AllowDuplicateProperties = false };
    private readonly Lock _gate = new();

    /// <summary>The values as last saved (or loaded), by wire name; null until <see cref="Load"/> has run.</summary>
    private JsonObject? _values;

    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>
    /// Restores the Thing's settings from the file, then takes the values the Thing now holds as the file's content.
    /// Changes reported before this (restoring included) are not written back. A temporary file left by a save that
    /// a crash interrupted is deleted first: the file it was to replace is the last complete one.
    /// </summary>
    public void Load(Thing thing)
    {
        DeleteLeftoverTemporaryFile();
        foreach (var (key, value) in Read())
        {
            if (!thing.Properties.TryGet(key, out var property) || !property.Definition.IsSetting)
            {
                Log.UnknownSetting(logger, thingName, key, Path);
                continue;
            }

            try
            {
                property.SetJson(value?.ToJsonString() ?? "null");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever a saved value holds (or a setter throws), loading must never stop the server from starting.
                Log.InvalidSetting(logger, thingName, key, Path, ex.Message);
            }
        }

        var values = new JsonObject();
        foreach (var property in thing.Properties.Where(p => p.Definition.IsSetting))
        {
            values[property.Name] = JsonNode.Parse(property.GetJsonUtf8());
        }

        lock (_gate)
        {
            _values = values;
        }
    }

    /// <summary>
    /// Records that <paramref name="property"/> now holds <paramref name="json"/> and rewrites the file. Saves are
    /// serialized, and each writes every setting's latest value, so the file ends with the values last reported.
    /// A save that fails is logged and reported to <see cref="SettingsSaveFailures"/>, so that a client's request
    /// that caused it learns of it.
    /// </summary>
    public void Save(PropertyDefinition property, string json)
    {
        lock (_gate)
        {
            if (_values is null)
            {
                return;
            }

            _values[property.Name] = JsonNode.Parse(json);
            if (Write(Encoding.UTF8.GetBytes(_values.ToJsonString(Indented) + "\n")) is { } failure)
            {
                SettingsSaveFailures.Report($"'{property.Name}' could not be saved to {Path}: {failure}");
            }
        }
    }

    private JsonObject Read()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        try
        {
            // A name given twice is as unreadable as a truncated file: which value was meant?
            return JsonNode.Parse(File.ReadAllText(Path), documentOptions: StrictReading) as JsonObject
                ?? throw new JsonException("the file does not hold a JSON object");
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            var aside = Path + ".corrupt";
            TryCopy(Path, aside);
            Log.FileUnreadable(logger, ex, thingName, Path, aside);
            return [];
        }
    }

    /// <summary>Writes the file atomically; null, or why it failed (logged).</summary>
    private string? Write(byte[] bytes)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var temporary = Path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SaveFailed(logger, ex, thingName, Path);
            return ex.Message;
        }
    }

    private void DeleteLeftoverTemporaryFile()
    {
        var temporary = Path + ".tmp";
        if (!File.Exists(temporary))
        {
            return;
        }

        try
        {
            File.Delete(temporary);
            Log.TemporaryFileDeleted(logger, thingName, temporary);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // It is overwritten by the next save anyway.
        }
    }

    private static void TryCopy(string from, string to)
    {
        try
        {
            File.Copy(from, to, overwrite: true);
        }
        catch (IOException)
        {
            // Best effort: the original stays in place until the next save anyway.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Settings of Thing '{ThingName}' in {Path} could not be read; using defaults. A copy was kept as {Copy}", EventName = "SettingsUnreadable")]
        public static partial void FileUnreadable(ILogger logger, Exception exception, string thingName, string path, string copy);

        [LoggerMessage(2, LogLevel.Warning, "Settings of Thing '{ThingName}': '{Key}' in {Path} is not a setting of this Thing; it is ignored and will not be saved again", EventName = "UnknownSetting")]
        public static partial void UnknownSetting(ILogger logger, string thingName, string key, string path);

        [LoggerMessage(3, LogLevel.Warning, "Settings of Thing '{ThingName}': the saved value of '{Key}' in {Path} is invalid and was not loaded; keeping the default. {Reason}", EventName = "InvalidSetting")]
        public static partial void InvalidSetting(ILogger logger, string thingName, string key, string path, string reason);

        [LoggerMessage(4, LogLevel.Error, "Settings of Thing '{ThingName}' could not be saved to {Path}", EventName = "SettingsSaveFailed")]
        public static partial void SaveFailed(ILogger logger, Exception exception, string thingName, string path);

        [LoggerMessage(5, LogLevel.Information, "Settings of Thing '{ThingName}': deleted {Path}, left by a save that did not finish", EventName = "SettingsTemporaryFileDeleted")]
        public static partial void TemporaryFileDeleted(ILogger logger, string thingName, string path);
    }
}
