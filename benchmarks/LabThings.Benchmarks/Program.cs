using LabThings.Benchmarks;

// Usage:
//   dotnet run -c Release --project benchmarks/LabThings.Benchmarks -- mjpeg [options]
//   dotnet run -c Release --project benchmarks/LabThings.Benchmarks -- properties [options]
//   dotnet run -c Release --project benchmarks/LabThings.Benchmarks -- actions [options]
//   dotnet run -c Release --project benchmarks/LabThings.Benchmarks -- observe [options]   (ObserveSettings; "observe --observer-process" is its internal child)
// See MjpegSettings, PropertiesSettings and ActionsSettings for the options. The "clients" and
// "example-server" commands are internal: the benchmarks start this same program with them to run the
// MJPEG load generator, or the example server, in a separate process.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("Commands: mjpeg [options], properties [options], actions [options]");
    Console.WriteLine(MjpegSettings.Usage);
    Console.WriteLine(PropertiesSettings.Usage);
    Console.WriteLine(ActionsSettings.Usage);
    Console.WriteLine(ObserveSettings.Usage);
    return 0;
}

var usage = MjpegSettings.Usage;
try
{
    var line = CommandLine.Parse(args);
    switch (line.Command)
    {
        case "mjpeg":
            var settings = MjpegSettings.From(line);
            line.RejectUnknown();
            return await new MjpegBenchmark(settings).RunAsync();
        case "properties":
            usage = PropertiesSettings.Usage;
            var properties = PropertiesSettings.From(line);
            line.RejectUnknown();
            return await new PropertiesBenchmark(properties).RunAsync();
        case "actions":
            usage = ActionsSettings.Usage;
            var actions = ActionsSettings.From(line);
            line.RejectUnknown();
            return await new ActionsBenchmark(actions).RunAsync();
        case "observe":
            usage = ObserveSettings.Usage;
            var observe = ObserveSettings.From(line);
            line.RejectUnknown();
            return await new ObserveBenchmark(observe).RunAsync();
        case "clients":
            line.RejectUnknown();
            return await LoadGeneratorProcess.ChildMainAsync();
        case "example-server":
            var folder = line.String("settings-folder", "");
            var bare = line.Flag("bare");
            line.RejectUnknown();
            return await ExampleServerHost.ChildMainAsync(folder is "" ? throw new ArgumentException("--settings-folder is required.") : folder, bare);
        default:
            await Console.Error.WriteLineAsync($"Unknown command '{line.Command}'. Use: mjpeg, properties or actions [options], or --help");
            return 2;
    }
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    await Console.Error.WriteLineAsync(usage);
    return 2;
}
