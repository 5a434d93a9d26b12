using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>Settings are saved atomically when they change and restored when a server starts on the same folder.</summary>
public sealed class SettingsTests
{
    [Fact]
    public async Task Setting_WrittenOverHttp_SurvivesARestartOfTheServer()
    {
        var folder = RunningServer.NewTemporaryFolder();
        await using (var first = await StartAsync(folder))
        {
            (await PutAsync(first, "label", "\"bench 3\"")).StatusCode.Should().Be(HttpStatusCode.Created);
            (await PutAsync(first, "counter", "12")).StatusCode.Should().Be(HttpStatusCode.Created);
            (await PutAsync(first, "exposure", "9")).StatusCode.Should().Be(HttpStatusCode.Created);
        }

        await using var second = await StartAsync(folder);
        (await second.Client.GetStringAsync("instrument/label")).Should().Be("\"bench 3\"");
        (await second.Client.GetStringAsync("instrument/counter")).Should().Be("12");
        (await second.Client.GetStringAsync("instrument/exposure")).Should().Be("1.5", "only settings are saved");
    }

    [Fact]
    public async Task Setting_SetByTheThingsOwnCode_IsSavedToo()
    {
        var folder = RunningServer.NewTemporaryFolder();
        await using (var first = await StartAsync(folder))
        {
            first.Services.GetRequiredService<Instrument>().Counter = 5;
        }

        var saved = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "instrument.json")))!;
        saved["counter"]!.GetValue<int>().Should().Be(5);
        saved["label"]!.GetValue<string>().Should().Be("none");
    }

    [Theory]
    [InlineData("{\"label\": \"half")]
    [InlineData("")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\u0000\u0001binary")]
    public async Task CorruptOrTruncatedFile_ServerStartsWithDefaultsAndKeepsACopy(string content)
    {
        var folder = RunningServer.NewTemporaryFolder();
        var path = Path.Combine(folder, "instrument.json");
        await File.WriteAllTextAsync(path, content);

        await using var server = await StartAsync(folder);

        (await server.Client.GetStringAsync("instrument/label")).Should().Be("\"none\"");
        (await File.ReadAllTextAsync(path + ".corrupt")).Should().Be(content, "the unreadable file is kept, not lost");
        (await PutAsync(server, "label", "\"fresh\"")).StatusCode.Should().Be(HttpStatusCode.Created);
        JsonNode.Parse(await File.ReadAllTextAsync(path))!["label"]!.GetValue<string>().Should().Be("fresh");
    }

    [Theory]
    [InlineData("""{"label": "kept", "counter": 123456789012345678901234567890}""")]
    [InlineData("""{"label": "kept", "counter": 9223372036854775808}""")]
    [InlineData("""{"label": "kept", "counter": 1e400}""")]
    [InlineData("""{"label": "kept", "counter": "\udc00"}""")]
    public async Task FileWithAnUnusableNumberOrString_ServerStartsAndKeepsThatDefault(string content)
    {
        var folder = RunningServer.NewTemporaryFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "instrument.json"), content);

        await using var server = await StartAsync(folder);

        (await server.Client.GetStringAsync("instrument/label")).Should().Be("\"kept\"");
        (await server.Client.GetStringAsync("instrument/counter")).Should().Be("0");
    }

    [Fact]
    public async Task FileWithADuplicateKey_IsKeptAsideAndTheServerStartsWithDefaults()
    {
        var folder = RunningServer.NewTemporaryFolder();
        var path = Path.Combine(folder, "instrument.json");
        const string content = """{"label": "one", "label": "two"}""";
        await File.WriteAllTextAsync(path, content);

        await using var server = await StartAsync(folder);

        (await server.Client.GetStringAsync("instrument/label")).Should().Be("\"none\"", "which of the two was meant cannot be known");
        (await File.ReadAllTextAsync(path + ".corrupt")).Should().Be(content);
    }

    [Fact]
    public async Task PartlyInvalidFile_LoadsValidEntriesKeepsDefaultsForBadOnesAndDropsUnknownKeysOnSave()
    {
        var folder = RunningServer.NewTemporaryFolder();
        var path = Path.Combine(folder, "instrument.json");
        await File.WriteAllTextAsync(path, """{"label": "kept", "counter": -4, "exposure": 3, "retired_setting": true}""");

        await using var server = await StartAsync(folder);

        (await server.Client.GetStringAsync("instrument/label")).Should().Be("\"kept\"");
        (await server.Client.GetStringAsync("instrument/counter")).Should().Be("0", "-4 breaks minimum 0, so the default is kept");
        (await server.Client.GetStringAsync("instrument/exposure")).Should().Be("1.5", "exposure is not a setting");
        (await PutAsync(server, "counter", "1")).StatusCode.Should().Be(HttpStatusCode.Created);
        var saved = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        saved.Select(p => p.Key).Should().BeEquivalentTo("label", "counter");
    }

    [Fact]
    public async Task LeftoverTemporaryFileFromACrash_IsIgnoredAndTheLastCompleteFileLoads()
    {
        var folder = RunningServer.NewTemporaryFolder();
        var path = Path.Combine(folder, "instrument.json");
        await File.WriteAllTextAsync(path, """{"label": "complete"}""");
        await File.WriteAllTextAsync(path + ".tmp", """{"label": "half-wri""");

        await using var server = await StartAsync(folder);

        (await server.Client.GetStringAsync("instrument/label")).Should().Be("\"complete\"");
        File.Exists(path + ".tmp").Should().BeFalse("the leftover of an interrupted save is cleaned at start");
    }

    [Fact]
    public async Task SaveThatFails_IsAnsweredWithAnErrorAndTheValueIsNotChanged()
    {
        var folder = RunningServer.NewTemporaryFolder();
        var path = Path.Combine(folder, "instrument.json");
        await File.WriteAllTextAsync(path, """{"label": "saved"}""");
        Directory.CreateDirectory(path + ".tmp"); // in the way of every save
        await using var server = await StartAsync(folder);

        using var put = await PutAsync(server, "label", "\"lost?\"");

        put.StatusCode.Should().Be((HttpStatusCode)507);
        put.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await put.Content.ReadAsStringAsync()).Should().Contain("could not be saved");
        (await server.Client.GetStringAsync("instrument/label")).Should().Be("\"saved\"", "a value the server would forget is not acknowledged");
        using var reset = await server.Client.PostAsync("instrument/label/reset", null);
        reset.StatusCode.Should().Be((HttpStatusCode)507);
        (await server.Client.GetStringAsync("instrument/label")).Should().Be("\"saved\"");
        (await PutAsync(server, "exposure", "3")).StatusCode.Should().Be(HttpStatusCode.Created, "properties that are not settings are not saved");
        Directory.Delete(path + ".tmp");
        (await PutAsync(server, "label", "\"kept\"")).StatusCode.Should().Be(HttpStatusCode.Created);
        JsonNode.Parse(await File.ReadAllTextAsync(path))!["label"]!.GetValue<string>().Should().Be("kept");
    }

    [Fact]
    public async Task ManySaves_AReaderNeverSeesAHalfWrittenFile()
    {
        var folder = RunningServer.NewTemporaryFolder();
        await using var server = await StartAsync(folder);
        var instrument = server.Services.GetRequiredService<Instrument>();
        var path = Path.Combine(folder, "instrument.json");
        instrument.Label = new string('x', 200_000);

        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var text = await File.ReadAllTextAsync(path);
                JsonNode.Parse(text)!["label"]!.GetValue<string>().Length.Should().BeGreaterThan(100_000);
                reads++;
            }
        });
        for (var i = 0; i < 200; i++)
        {
            instrument.Label = new string((char)('a' + (i % 26)), 200_000 + i);
        }

        await stop.CancelAsync();
        await reader;
        reads.Should().BePositive();
    }

    [Fact]
    public async Task ConcurrentWrites_TheFileEndsWithTheValueInMemory()
    {
        var folder = RunningServer.NewTemporaryFolder();
        await using var server = await StartAsync(folder);
        var instrument = server.Services.GetRequiredService<Instrument>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                instrument.Counter = (thread * 1000) + i;
            }
        })));

        var saved = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "instrument.json")))!;
        saved["counter"]!.GetValue<int>().Should().Be(instrument.Counter, "saves reach the disk in the order they read the values");
    }

    private static Task<RunningServer> StartAsync(string folder)
        => RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<Instrument>("instrument"), folder);

    private static Task<HttpResponseMessage> PutAsync(RunningServer server, string name, string json)
        => server.Client.PutAsync($"instrument/{name}", new StringContent(json, Encoding.UTF8, "application/json"));
}
