using LabThings.Examples;

await ExampleApp.CreateApp(args).RunAsync();
