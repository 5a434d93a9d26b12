// The slim builder keeps what a lab server uses (appsettings.json, environment variables, the command line, console
// logging) and leaves out what it does not (IIS, hosting-startup assemblies, more logging providers): about 3 MiB less
// memory. Kestrel's HTTPS configuration (Kestrel:Endpoints with a certificate) is added back on the next line.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseKestrelHttpsConfiguration();

// The Things this server hosts: those named in appsettings.json (LabThings:Things), and any added in code, e.g.
// .AddThing<Thermometer>("thermometer"). The LabThings section also sets security, the settings folder and more:
// see https://github.com/labthings-dotnet/labthings-dotnet/blob/main/docs/hosting.md.
builder.Services.AddLabThings()
    .AddThingsFromConfiguration(builder.Configuration.GetSection("LabThings:Things"));

var app = builder.Build();
app.MapThings();
// A RequestDelegate rather than a lambda with parameters or a result: ASP.NET Core compiles those on the first request,
// which loads about 4 MiB of code this server does not otherwise need.
app.MapGet("/", context =>
{
    context.Response.Redirect(context.Request.PathBase + "/docs");
    return Task.CompletedTask;
}).ExcludeFromDescription();
app.Run();

