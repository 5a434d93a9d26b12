using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Hosting;

/// <summary>
/// Saves and restores settings (<c>[ThingSetting]</c> properties): one JSON object per Thing in
/// <c>{SettingsFolder}/{thing}.json</c>. Saving writes a temporary file, flushes it to disk and renames
/// it over the old one, so a crash never leaves a half-written file. Loading never fails: a missing file
/// keeps the defaults; a corrupt one is kept aside as <c>{thing}.json.corrupt</c> and the defaults are used;
/// each invalid or unknown entry is logged and skipped.
/// </summary>
internal sealed partial class SettingsStore(IOptions<LabThingsOptions> options, ILogger<SettingsStore> logger)
{
    private readonly string _folder = Path.GetFullPath(options.Value.SettingsFolder);
    private readonly Lock _gate = new();

    public string FileFor(string thingName) => Path.Combine(_folder, thingName + ".json");

    /// <summary>Restores <paramref name="thing"/>'s settings from disk and saves them whenever one changes.</summary>
    public void Attach(Thing thing, string name)
    {
        if (!thing.Definition.Properties.Any(p => p.IsSetting))
        {
            return;
        }

        Load(thing, name);
        thing.PropertyValueChanged += (t, property) =>
        {
            // Subscribed after loading, so restoring saved values does not write them straight back.
            if (property.IsSetting)
            {
                Save(t, name);
            }
        };
    }

    /// <summary>Writes every setting of <paramref name="thing"/> to its file, atomically.</summary>
    public void Save(Thing thing, string name)
    {
        var target = FileFor(name);
        lock (_gate)
        {
            // Read the values inside the lock: two saves racing must reach the disk in the order they read,
            // or an older value could be written over a newer one.
            var values = new JsonObject();
            foreach (var property in thing.Properties.Where(p => p.Definition.IsSetting))
            {
                values[property.Name] = JsonNode.Parse(property.GetJsonUtf8());
            }

            var bytes = Encoding.UTF8.GetBytes(values.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            try
            {
                Directory.CreateDirectory(_folder);
                var temporary = target + ".tmp";
                using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    file.Write(bytes);
                    file.Flush(flushToDisk: true);
                }

                File.Move(temporary, target, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.SaveFailed(logger, ex, name, target);
            }
        }
    }

    private void Load(Thing thing, string name)
    {
        var path = FileFor(name);
        if (!File.Exists(path))
        {
            return;
        }

        JsonObject saved;
        try
        {
            saved = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new JsonException("the file does not hold a JSON object");
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            var aside = path + ".corrupt";
            TryCopy(path, aside);
            Log.FileUnreadable(logger, ex, name, path, aside);
            return;
        }

        foreach (var (key, value) in saved)
        {
            if (!thing.Properties.TryGet(key, out var property) || !property.Definition.IsSetting)
            {
                Log.UnknownSetting(logger, name, key, path);
                continue;
            }

            try
            {
                property.SetJson(value?.ToJsonString() ?? "null");
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException)
            {
                Log.InvalidSetting(logger, name, key, ex.Message);
            }
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
        [LoggerMessage(1, LogLevel.Warning, "Settings of Thing '{ThingName}' in {Path} could not be read; using defaults. A copy was kept as {Copy}")]
        public static partial void FileUnreadable(ILogger logger, Exception exception, string thingName, string path, string copy);

        [LoggerMessage(2, LogLevel.Warning, "Settings of Thing '{ThingName}': '{Key}' in {Path} is not a setting of this Thing; it is ignored and will not be saved again")]
        public static partial void UnknownSetting(ILogger logger, string thingName, string key, string path);

        [LoggerMessage(3, LogLevel.Warning, "Settings of Thing '{ThingName}': the saved value of '{Key}' is invalid and was not loaded; keeping the default. {Reason}")]
        public static partial void InvalidSetting(ILogger logger, string thingName, string key, string reason);

        [LoggerMessage(4, LogLevel.Error, "Settings of Thing '{ThingName}' could not be saved to {Path}")]
        public static partial void SaveFailed(ILogger logger, Exception exception, string thingName, string path);
    }
}
