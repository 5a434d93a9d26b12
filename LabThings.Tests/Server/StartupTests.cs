using LabThings.Server;
using LabThings.Tests.Packaging;
using LabThings.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Server;

/// <summary>What happens when a server starts: which Thing failed, and what is (not) loaded at start.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task A_thing_whose_start_fails_makes_StartAsync_throw_a_ThingStartException_naming_it()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.Logging.ClearProviders();
        builder.Services.AddLabThings(o => o.SettingsFolder = RunningServer.NewTemporaryFolder()).AddThing<UnpluggedThing>("stage");
        await using var app = builder.Build();
        app.MapThings();

        var act = () => app.StartAsync();

        var thrown = (await act.Should().ThrowAsync<ThingStartException>()).Which;
        thrown.ThingName.Should().Be("stage");
        thrown.ThingType.Should().Be<UnpluggedThing>();
        thrown.InnerException.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be(UnpluggedThing.Problem);
        thrown.Message.Should().Be($"Thing 'stage' ({typeof(UnpluggedThing).FullName}) failed to start: {UnpluggedThing.Problem}");
    }

    [Fact]
    public async Task LabThings_adds_no_authentication_or_data_protection_to_the_applications_services()
    {
        await using var server = await RunningServer.StartAsync(builder => builder.Services.AddLabThings().AddThing<IdleThing>("counter"));

        server.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).Should().NotContain("DataProtectionHostedService");
        server.Services.GetService<IDataProtectionProvider>().Should().BeNull("LabThings' authentication handlers live in services of its own");
        server.Services.GetService<IAuthenticationSchemeProvider>().Should().BeNull("the application's own authentication is left alone");
    }

    [Fact]
    public async Task An_app_that_registered_data_protection_itself_keeps_its_start_up_service()
    {
        await using var server = await RunningServer.StartAsync(builder =>
        {
            builder.Services.AddDataProtection();
            builder.Services.AddLabThings().AddThing<IdleThing>("counter");
        });

        server.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).Should().Contain("DataProtectionHostedService");
    }

    /// <summary>A Thing with nothing to start.</summary>
    public sealed class IdleThing : Thing
    {
        [ThingProperty]
        public int Value { get; set => SetProperty(ref field, value); }
    }
}
