// Compiled by the ClientGeneration tests together with the generated clients (not part of LabThings.Tests itself).
namespace Drivers;

/// <summary>Records every progress report at once.</summary>
internal sealed class Recorder : IProgress<double>
{
    private readonly List<double> _values = [];

    public IReadOnlyList<double> Values
    {
        get
        {
            lock (_values)
            {
                return [.. _values];
            }
        }
    }

    public void Report(double value)
    {
        lock (_values)
        {
            _values.Add(value);
        }
    }
}

internal static class Observe
{
    /// <summary>
    /// Enumerates <paramref name="source"/> in the background, calls <paramref name="poke"/> until the first item arrives
    /// (so the subscription is open), then <paramref name="act"/> (again every half second until it is seen), and returns
    /// every item up to the first that is <paramref name="done"/> (which ends the enumeration, as a caller of the
    /// generated client ends it).
    /// </summary>
    public static async Task<List<T>> UntilAsync<T>(Func<CancellationToken, IAsyncEnumerable<T>> source, Func<int, Task> poke, Func<Task> act, Func<T, bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<T>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            await foreach (var item in source(deadline.Token))
            {
                lock (seen)
                {
                    seen.Add(item);
                }

                first.TrySetResult();
                if (done(item))
                {
                    return;
                }
            }
        });

        for (var i = 1; !first.Task.IsCompleted; i++)
        {
            if (reader.IsCompleted)
            {
                await reader;
                throw new InvalidOperationException("The enumeration ended before its first item.");
            }

            await poke(i);
            await Task.WhenAny(first.Task, Task.Delay(100, deadline.Token));
        }

        // Long polling (node-wot's observation) misses a change made between two polls: act again until it is seen.
        await act();
        while (!reader.IsCompleted)
        {
            await Task.WhenAny(reader, Task.Delay(500, deadline.Token));
            if (!reader.IsCompleted)
            {
                await act();
            }
        }

        await reader;
        lock (seen)
        {
            return [.. seen];
        }
    }
}
