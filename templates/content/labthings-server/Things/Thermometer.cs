using System.ComponentModel;
using LabThings;

namespace MyServer.Things;

/// <summary>A simulated thermometer with a heater: replace it with your instrument.</summary>
/// <param name="roomTemperature">The temperature it starts at, in °C (set in appsettings.json).</param>
[Description("A simulated thermometer with a heater")]
public sealed class Thermometer(double roomTemperature = 20) : Thing
{
    /// <summary>The temperature; read-only for clients.</summary>
    [ThingProperty(ReadOnly = true, Unit = "°C", Description = "The measured temperature")]
    public double Temperature { get; private set => SetProperty(ref field, value); } = roomTemperature;

    /// <summary>The temperature the heater aims for; kept in the settings folder across restarts.</summary>
    [ThingSetting(Unit = "°C", Description = "The temperature the heater aims for")]
    public double Target { get; set => SetProperty(ref field, value); } = roomTemperature;

    /// <summary>Heats (or cools) towards the target, one degree every tenth of a second; cancellable.</summary>
    /// <param name="progress">The fraction of the way done.</param>
    /// <param name="cancellationToken">Cancelled when a client cancels the invocation.</param>
    /// <returns>The temperature reached.</returns>
    [ThingAction(Description = "Heat or cool towards the target")]
    public async Task<double> ReachTargetAsync(IProgress<double> progress, CancellationToken cancellationToken)
    {
        var start = Temperature;
        while (Math.Abs(Target - Temperature) > 0.01)
        {
            await Task.Delay(100, cancellationToken);
            Temperature += Math.Clamp(Target - Temperature, -1, 1);
            progress.Report(start == Target ? 1 : Math.Abs((Temperature - start) / (Target - start)));
        }

        return Temperature;
    }
}
