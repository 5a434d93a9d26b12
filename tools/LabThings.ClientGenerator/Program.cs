using System.CommandLine;
using LabThings.ClientGenerator;

var sources = new Argument<string[]>("sources")
{
    Description = "Thing Description URLs (http://host:port/thing/), server listings (http://host:port/things/), or TD files.",
    HelpName = "URL|FILE",
    Arity = ArgumentArity.OneOrMore,
};
var output = new Option<string>("--output", "-o")
{
    Description = "The folder to write the generated files into (created if missing).",
    HelpName = "DIR",
    Required = true,
};
var @namespace = new Option<string>("--namespace", "-n")
{
    Description = "The namespace of the generated code.",
    HelpName = "NAMESPACE",
    Required = true,
};
var timeout = new Option<double>("--timeout")
{
    Description = "Seconds to wait for each HTTP answer.",
    HelpName = "SECONDS",
    DefaultValueFactory = _ => 30,
};

var generate = new Command("generate", "Generates a typed C# client for each Thing, one file per Thing (needs the LabThings.Client package).")
{
    sources,
    output,
    @namespace,
    timeout,
};
generate.SetAction((parse, cancellationToken) => GenerateCommand.RunAsync(
    new GenerateArguments(parse.GetValue(sources) ?? [], parse.GetValue(output)!, parse.GetValue(@namespace)!, TimeSpan.FromSeconds(parse.GetValue(timeout))),
    Console.Out,
    Console.Error,
    cancellationToken: cancellationToken));

var root = new RootCommand("Generates typed C# clients from W3C Thing Descriptions. See docs/clients.md.") { generate };
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
