using System.Text.Json.Nodes;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
using LabThings.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace LabThings.Tests.Server;

/// <summary>
/// The host's end of a Thing's connection, without a web server: changes go to the settings file first (handed the
/// value), then to observers; restoring settings writes nothing back.
/// </summary>
public sealed class HostedThingTests : IDisposable
{
    private readonly string _folder = RunningServer.NewTemporaryFolder();
    private readonly ObservationHub _hub = new();

    private string SettingsPath => Path.Combine(_folder, "instrument.json");

    public void Dispose() => _hub.Dispose();

    [Fact]
    public void SettingChange_IsSavedFromTheValueHanded_WithoutReadingTheThing()
    {
        var (instrument, _) = Host(new CountingInstrument());
        instrument.ResetReads();

        instrument.Label = "cell 7";

        ReadSettings()["label"]!.GetValue<string>().Should().Be("cell 7");
        instrument.LabelReads.Should().Be(0, "the settings file is handed the value; it does not read it back");
    }

    [Fact]
    public async Task SettingChange_IsOnDiskBeforeObserversHearOfIt()
    {
        var (instrument, _) = Host(new Instrument());
        var subscriber = new Subscriber();
        using var subscription = _hub.Subscribe(new ObservationKey("instrument", ObservationKind.Property, "counter"), subscriber);

        instrument.Counter = 42;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var notification = await subscriber.Reader.ReadAsync(timeout.Token);

        notification.PayloadJson.Should().Be("42");
        ReadSettings()["counter"]!.GetValue<int>().Should().Be(42, "the setting was saved before observers were told");
    }

    [Fact]
    public void Restore_LoadsSavedValues_AndDoesNotWriteThemBack()
    {
        File.WriteAllText(SettingsPath, """{"label":"saved","counter":5}""");

        var (instrument, _) = Host(new Instrument());

        instrument.Label.Should().Be("saved");
        instrument.Counter.Should().Be(5);
        File.ReadAllText(SettingsPath).Should().Be("""{"label":"saved","counter":5}""", "restoring is not a change to save");
    }

    [Fact]
    public void SettingChange_AfterRestore_WritesEverySetting()
    {
        File.WriteAllText(SettingsPath, """{"label":"saved"}""");
        var (instrument, _) = Host(new Instrument());

        instrument.Counter = 3;

        var saved = ReadSettings();
        saved["label"]!.GetValue<string>().Should().Be("saved");
        saved["counter"]!.GetValue<int>().Should().Be(3);
    }

    [Fact]
    public void NonSettingChange_WritesNoFile()
    {
        var (instrument, _) = Host(new Instrument());

        instrument.Exposure = 7;

        File.Exists(SettingsPath).Should().BeFalse();
    }

    [Fact]
    public async Task Event_ReachesItsSubscriberAsJson()
    {
        var (worker, _) = Host(new Worker(), "worker");
        var subscriber = new Subscriber();
        using var subscription = _hub.Subscribe(new ObservationKey("worker", ObservationKind.Event, "moved"), subscriber);

        worker.RaiseMoved(1.5, -2);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var notification = await subscriber.Reader.ReadAsync(timeout.Token);

        JsonNode.DeepEquals(JsonNode.Parse(notification.PayloadJson), JsonNode.Parse("""{"x":1.5,"y":-2,"label":null}""")).Should().BeTrue(notification.PayloadJson);
    }

    [Fact]
    public void Attach_GivesTheThingItsNameAndDefinition()
    {
        var (instrument, hosted) = Host(new Instrument());

        instrument.Name.Should().Be("instrument");
        hosted.Definition.Should().BeSameAs(instrument.Definition);
        hosted.SettingsPath.Should().Be(SettingsPath);
    }

    private (T Thing, HostedThing Hosted) Host<T>(T thing, string name = "instrument")
        where T : Thing
    {
        var hosted = new HostedThing(name, thing, ThingDefinitions.Get(thing.GetType()), NullLogger.Instance, Path.Combine(_folder, name + ".json"), _hub);
        hosted.Attach();
        return (thing, hosted);
    }

    private JsonObject ReadSettings() => JsonNode.Parse(File.ReadAllText(SettingsPath))!.AsObject();

    /// <summary>An instrument whose setting counts how often it is read.</summary>
    private sealed class CountingInstrument : Thing
    {
        private int _labelReads;

        public int LabelReads => _labelReads;

        [ThingSetting]
        public string Label
        {
            get
            {
                Interlocked.Increment(ref _labelReads);
                return field;
            }

            set => SetProperty(ref field, value);
        }

        = "none";

        public void ResetReads() => _labelReads = 0;
    }
}
