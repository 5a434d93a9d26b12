using System.Text.Json.Nodes;
using LabThings.Client;

namespace LabThings.Tests.Client;

/// <summary>Shared steps of the client tests.</summary>
internal static class ClientTestHelpers
{
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A progress sink that records every report at once (Progress&lt;T&gt; posts them later, on the thread pool).</summary>
    public sealed class Recorder<T> : IProgress<T>
    {
        private readonly List<T> _values = [];

        public IReadOnlyList<T> Values
        {
            get
            {
                lock (_values)
                {
                    return [.. _values];
                }
            }
        }

        public void Report(T value)
        {
            lock (_values)
            {
                _values.Add(value);
            }
        }
    }

    /// <summary>
    /// Enumerates <paramref name="source"/> in the background, calls <paramref name="poke"/> until the first item arrives
    /// (so the subscription is known to be open), then <paramref name="act"/>, and collects until <paramref name="done"/>.
    /// </summary>
    public static async Task<List<T>> CollectAsync<T>(
        Func<CancellationToken, IAsyncEnumerable<T>> source, Func<Task> poke, Func<Task> act, Func<IReadOnlyList<T>, bool> done)
    {
        using var deadline = new CancellationTokenSource(ClientTimeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var seen = new List<T>();
        var collector = Task.Run(async () =>
        {
            await foreach (var item in source(stop.Token))
            {
                lock (seen)
                {
                    seen.Add(item);
                }
            }
        });

        List<T> Snapshot()
        {
            lock (seen)
            {
                return [.. seen];
            }
        }

        // Poke until the first item shows the subscription is open, then act, then wait for what should follow.
        while (Snapshot().Count == 0)
        {
            collector.IsFaulted.Should().BeFalse(collector.Exception?.ToString());
            deadline.Token.ThrowIfCancellationRequested();
            await poke();
            await Task.Delay(50, deadline.Token);
        }

        await act();
        while (!done(Snapshot()))
        {
            collector.IsFaulted.Should().BeFalse(collector.Exception?.ToString());
            await Task.Delay(20, deadline.Token);
        }

        await stop.CancelAsync();
        try
        {
            await collector;
        }
        catch (OperationCanceledException)
        {
            // The enumeration ends by cancellation, as a caller of the client ends it.
        }

        return Snapshot();
    }

    /// <summary>The TD with every form of <paramref name="subprotocol"/> removed, so the client has to use another.</summary>
    public static string Without(ThingClient client, string subprotocol)
    {
        var td = JsonNode.Parse(client.Description.GetRawText())!.AsObject();
        foreach (var kind in new[] { "properties", "actions", "events" })
        {
            if (td[kind] is not JsonObject affordances)
            {
                continue;
            }

            foreach (var (_, affordance) in affordances)
            {
                var forms = affordance!["forms"]!.AsArray();
                foreach (var form in forms.Where(f => (string?)f!["subprotocol"] == subprotocol).ToList())
                {
                    forms.Remove(form);
                }
            }
        }

        return td.ToJsonString();
    }
}
