var builder = WebApplication.CreateBuilder(args);

// The Things this server hosts: those named in appsettings.json (LabThings:Things), and any added in code, e.g.
// .AddThing<Thermometer>("thermometer"). The LabThings section also sets security, the settings folder and more:
// see https://github.com/labthings-dotnet/labthings-dotnet/blob/main/docs/hosting.md.
builder.Services.AddLabThings()
    .AddThingsFromConfiguration(builder.Configuration.GetSection("LabThings:Things"));

var app = builder.Build();
app.MapThings();
app.MapGet("/", () => Results.Redirect("/docs")).ExcludeFromDescription();
app.Run();

