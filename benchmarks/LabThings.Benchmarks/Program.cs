using System.CommandLine;
using LabThings.Benchmarks;
using LabThings.Benchmarks.Micro;

// dotnet run -c Release --project benchmarks/LabThings.Benchmarks -- <command> [options]
// --help lists the commands, <command> --help a command's options; docs/performance.md has every figure and the
// command that made it. The internal commands are how the benchmarks start this same program as a child process.
var clients = new Command("clients", "internal: the mjpeg command's load generator in a child process (a plan on stdin, its report on stdout)");
clients.SetAction(_ => LoadGenerator.ChildMainAsync<MjpegPlan, MjpegReport>());
var root = new RootCommand("LabThings for .NET benchmarks: end-to-end runs over HTTP on 127.0.0.1 (mjpeg, observe, properties, actions) and BenchmarkDotNet micro-benchmarks (micro). Each prints Markdown on stdout and progress on stderr; '<command> --help' lists its options.")
{
    MjpegBenchmark.Command(),
    ObserveBenchmark.Command(),
    PropertiesBenchmark.Command(),
    ActionsBenchmark.Command(),
    MicroCommand.Command(),
    clients,
    ExampleServerHost.Command(),
};
return await root.Parse(args).InvokeAsync();
