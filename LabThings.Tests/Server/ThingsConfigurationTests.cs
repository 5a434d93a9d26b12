using System.Reflection;
using System.Text.Json.Nodes;
using LabThings.Server;
using LabThings.ServerTool;
using LabThings.Tests.Packaging;
using LabThings.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Server;

/// <summary>
/// Things from configuration in an app's own code (<c>AddLabThings().AddThingsFromConfiguration(section)</c>), the model
/// the labthings-server tool uses too; and the tool's JSON Schema kept in step with the options it describes.
/// </summary>
public sealed class ThingsConfigurationTests
{
    private static IConfiguration Configuration(params (string Key, string? Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();

    [Fact]
    public async Task Things_get_constructor_arguments_by_name_services_defaults_and_initial_settings()
    {
        await using var server = await RunningServer.StartAsync(builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LabThings:Things:detector:Type"] = typeof(ConfiguredThing).FullName,
                ["LabThings:Things:detector:Arguments:Gain"] = "3",
                ["LabThings:Things:detector:Arguments:label"] = "left",
                ["LabThings:Things:detector:Settings:exposure"] = "25",
                ["LabThings:Things:counter:Type"] = "LabThings.Examples.Counter",
            });
            builder.Services.AddLabThings().AddThingsFromConfiguration(builder.Configuration.GetSection("LabThings:Things"));
        });

        (await server.Client.GetStringAsync("/detector/summary")).Should().Be("\"left x3 +0.5\"");
        (await server.Client.GetStringAsync("/detector/exposure")).Should().Be("25");
        server.Services.GetRequiredService<ConfiguredThing>().Clock.Should().BeSameAs(server.Services.GetRequiredService<TimeProvider>());
        (await server.Client.GetAsync("/counter/")).IsSuccessStatusCode.Should().BeTrue();
    }

    [Fact]
    public async Task Saved_settings_win_over_the_initial_ones()
    {
        var folder = RunningServer.NewTemporaryFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "detector.json"), """{ "exposure": 99 }""");

        await using var server = await RunningServer.StartAsync(
            builder => builder.Services.AddLabThings().AddThingsFromConfiguration(Configuration(
                ("detector:Type", typeof(ConfiguredThing).AssemblyQualifiedName),
                ("detector:Arguments:label", "x"),
                ("detector:Arguments:gain", "1"),
                ("detector:Settings:Exposure", "25"))),
            folder);

        (await server.Client.GetStringAsync("/detector/exposure")).Should().Be("99");
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_configuration_path()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LabThings:Things:a:Typ"] = "x",
            ["LabThings:Things:b:Type"] = "System.String",
            ["LabThings:Things:c:Type"] = typeof(ConfiguredThing).FullName,
            ["LabThings:Things:c:Arguments:label"] = "ok",
            ["LabThings:Things:c:Arguments:gain"] = "lots",
            ["LabThings:Things:d:Type"] = typeof(ConfiguredThing).FullName,
            ["LabThings:Things:d:Arguments:colour"] = "red",
            ["LabThings:Things:e:Type"] = "LabThings.Examples.Light",
            ["LabThings:Things:e:Settings:brightness"] = "dim",
            ["LabThings:Things:e:Settings:colour"] = "red",
            ["LabThings:Things:f:Type"] = "LabThings.Examples.Ligth",
            ["LabThings:Things:g:Type"] = "Some.Type",
            ["LabThings:Things:g:Assembly"] = "/nonexistent/things.dll",
        }).Build();

        var act = () => new ServiceCollection().AddLabThings().AddThingsFromConfiguration(configuration.GetSection("LabThings:Things"));

        var problems = act.Should().Throw<LabThingsConfigurationException>().Which.Problems;
        problems.Should().Contain(p => p.StartsWith("LabThings:Things:a:Typ: unknown key", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("LabThings:Things:a:Type: missing", StringComparison.Ordinal));
        problems.Should().Contain("LabThings:Things:b:Type: System.String is not a Thing (a concrete subclass of LabThings.Thing)");
        problems.Should().Contain(p => p.StartsWith("LabThings:Things:c:Arguments:gain: 'lots' is not a valid Int32", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("LabThings:Things:d:Arguments:colour: LabThings.Tests.Packaging.ConfiguredThing has no constructor parameter named 'colour'", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("LabThings:Things:e:Settings:brightness: 'dim' is not a valid Int32", StringComparison.Ordinal));
        problems.Should().Contain("LabThings:Things:e:Settings:colour: LabThings.Examples.Light has no setting 'colour'; its settings are brightness");
        problems.Should().Contain(p => p.StartsWith("LabThings:Things:f:Type: no type 'LabThings.Examples.Ligth' is loaded", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("LabThings:Things:g:Assembly: there is no file", StringComparison.Ordinal));
        problems.Should().HaveCount(9);
    }

    [Fact]
    public void A_type_named_by_its_class_alone_gets_a_suggestion()
    {
        var act = () => new ServiceCollection().AddLabThings().AddThingsFromConfiguration(Configuration(("cam:Type", "SyntheticCamera")));

        act.Should().Throw<LabThingsConfigurationException>().Which.Problems.Single()
            .Should().Contain("did you mean LabThings.Examples.SyntheticCamera?");
    }

    [Fact]
    public void Adding_a_type_that_is_not_a_thing_by_type_is_refused()
    {
        var act = () => new ServiceCollection().AddLabThings().AddThing("x", typeof(string));

        act.Should().Throw<ArgumentException>().WithMessage("*System.String is not a concrete subclass of LabThings.Thing*");
    }

    [Fact]
    public void The_example_config_is_valid_against_the_published_schema()
    {
        var file = Path.Combine(RepositoryPaths.Root, "examples", "labthings-server.json");

        ConfigurationSchema.Validate(File.ReadAllText(file), "labthings-server.json").Should().BeEmpty();
    }

    [Fact]
    public void The_schema_reports_unknown_keys_and_wrong_types_by_path()
    {
        var problems = ConfigurationSchema.Validate(
            """{ "LabThings": { "Things": { "cam": { "Type": "X", "Slot": 1 } }, "SwaggerUi": "yes", "AllowedHosts": ["a", 2] }, "Urls": 5 }""",
            "test.json");

        problems.Should().BeEquivalentTo(
            "test.json: LabThings:Things:cam:Slot: unknown key; allowed here: Type, Assembly, Arguments, Settings",
            "test.json: LabThings:SwaggerUi: must be true or false",
            "test.json: LabThings:AllowedHosts:1: must be a string",
            "test.json: Urls: must be a string");
    }

    [Fact]
    public void The_schema_describes_every_option_of_the_LabThings_section()
    {
        var schema = JsonNode.Parse(ConfigurationSchema.Text)!["definitions"]!;

        Names(schema["labThings"]!).Should().BeEquivalentTo(Properties(typeof(LabThingsOptions)).Append("Things"));
        Names(schema["security"]!).Should().BeEquivalentTo(Properties(typeof(LabThingsSecurityOptions)));
        Names(schema["security"]!["properties"]!["Basic"]!).Should().BeEquivalentTo(Properties(typeof(BasicSecurityOptions)));
        Names(schema["security"]!["properties"]!["Basic"]!["properties"]!["Users"]!["additionalProperties"]!).Should().BeEquivalentTo(Properties(typeof(LabThingsUser)));
        Names(schema["security"]!["properties"]!["Bearer"]!).Should().BeEquivalentTo(Properties(typeof(BearerSecurityOptions)));
    }

    private static IEnumerable<string> Names(JsonNode objectSchema) => objectSchema["properties"]!.AsObject().Select(p => p.Key);

    private static IEnumerable<string> Properties(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name);
}
