// Compiled by the ClientGeneration tests together with the client labthings-client generated for the node-wot
// Thing of LabThings.Tests/Interop/wot-servient.mjs (not part of LabThings.Tests itself).
using Lab.Clients;

namespace Drivers;

internal static class NodeWotThing
{
    public static async Task<Dictionary<string, object?>> RunAsync(Uri td, HttpClient http)
    {
        using var thing = await InteropThingClient.ConnectAsync(td, http);
        await thing.WriteCountAsync(42);
        long count = await thing.ReadCountAsync();
        double sum = await thing.AddAsync(a: 2, b: 3.5);
        double start = await thing.ReadTemperatureAsync();
        List<double> temperatures = await Observe.UntilAsync(
            thing.ObserveTemperatureAsync,
            _ => thing.HeatAsync(0.5),
            () => thing.HeatAsync(1000),
            t => t > 1000);
        List<AlarmEvent> alarms = await Observe.UntilAsync(
            thing.SubscribeAlarmAsync,
            _ => thing.HeatAsync(0.5),
            () => thing.HeatAsync(5000),
            e => e.Level > 5000);
        return new()
        {
            ["count"] = count,
            ["sum"] = sum,
            ["start"] = start,
            ["temperatures"] = temperatures,
            ["lastAlarm"] = alarms[^1].Level,
        };
    }
}
