using LabThings.Benchmarks;

// Usage:
//   dotnet run -c Release --project benchmarks/LabThings.Benchmarks -- mjpeg [options]
// See MjpegSettings for the options. The "clients" command is internal: the mjpeg benchmark starts
// this same program with it to run the load generator in a separate process.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("Commands: mjpeg [options]");
    Console.WriteLine(MjpegSettings.Usage);
    return 0;
}

try
{
    var line = CommandLine.Parse(args);
    switch (line.Command)
    {
        case "mjpeg":
            var settings = MjpegSettings.From(line);
            line.RejectUnknown();
            return await new MjpegBenchmark(settings).RunAsync();
        case "clients":
            line.RejectUnknown();
            return await LoadGeneratorProcess.ChildMainAsync();
        default:
            await Console.Error.WriteLineAsync($"Unknown command '{line.Command}'. Use: mjpeg [options], or --help");
            return 2;
    }
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    await Console.Error.WriteLineAsync(MjpegSettings.Usage);
    return 2;
}
