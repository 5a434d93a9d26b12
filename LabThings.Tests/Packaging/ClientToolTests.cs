using LabThings.Tests.Support;

namespace LabThings.Tests.Packaging;

/// <summary>
/// The labthings-client tool as a user gets it: installed from the local feed, run against the example server over
/// Kestrel, its output built by `dotnet build` in a project referencing the LabThings.Client package (warnings as
/// errors, nullable on), and that program run against the server.
/// </summary>
[Collection(LocalFeedGroup.Name)]
public sealed class ClientToolTests(LocalFeed feed)
{
    [Fact]
    public async Task The_installed_tool_generates_clients_that_build_and_drive_the_example_server()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var work = Path.Combine(RunningServer.NewTemporaryFolder(), "App");
        Directory.CreateDirectory(work);

        var generate = await Processes.RunAsync(
            feed.ClientToolCommand, ["generate", new Uri(server.BaseAddress, "things/").ToString(), "-o", "Generated", "--namespace", "Lab.Clients"], work, timeout: TimeSpan.FromMinutes(1));
        generate.ExitCode.Should().Be(0, generate.ToString());
        Directory.GetFiles(Path.Combine(work, "Generated")).Should().HaveCount(5);

        await feed.WriteNuGetConfigAsync(work);
        await File.WriteAllTextAsync(Path.Combine(work, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <NoWarn>$(NoWarn);CS1591</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LabThings.Client" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(work, "Program.cs"), """
            using Lab.Clients;
            using LabThings.Client;

            var server = new Uri(args[0]);
            using var counter = await CounterClient.ConnectAsync(new Uri(server, "counter/"));
            var reports = 0;
            long count = await counter.SlowlyIncreaseCounterAsync(increments: 3, interval: 0.1, progress: new Progress<double>(_ => Interlocked.Increment(ref reports)));
            Console.WriteLine($"counter={count} progress={(reports > 0 ? "yes" : "no")}");

            using var light = await LightClient.ConnectAsync(new Uri(server, "light/"));
            await light.WriteBrightnessAsync(61);
            Console.WriteLine($"brightness={await light.ReadBrightnessAsync()}");
            try
            {
                await light.WriteBrightnessAsync(101);
            }
            catch (ThingProblemException problem)
            {
                Console.WriteLine($"problem={(int)problem.Status}");
            }

            using var stage = await StageClient.ConnectAsync(new Uri(server, "stage/"));
            Position position = await stage.MoveAbsoluteAsync(1, 2, 3);
            Console.WriteLine($"position={position.X},{position.Y},{position.Z}");
            """);

        var build = await Processes.DotnetAsync(work, null, "build", "-nologo");
        build.Output.Should().Contain("0 Warning(s)");
        var run = await Processes.RunAsync(Processes.Dotnet, [Path.Combine(work, "bin", "Debug", "net10.0", "App.dll"), server.BaseAddress.ToString()], work, timeout: TimeSpan.FromMinutes(1));

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("counter=3 progress=yes").And.Contain("brightness=61").And.Contain("problem=422").And.Contain("position=1,2,3");
    }
}
