namespace LabThings.Benchmarks;

/// <summary>
/// A latency histogram in µs: exact below 128, then 64 sub-buckets per power of two (at most 1.6 % off).
/// Fixed size, so each observer keeps its own without allocating per message.
/// </summary>
internal static class LatencyHistogram
{
    private const int Linear = 128;
    private const int SubBits = 6;
    private const int Sub = 1 << SubBits;
    public const int Size = Linear + ((31 - 7) * Sub);

    public static int Index(long micros)
    {
        if (micros < Linear)
        {
            return (int)Math.Max(0, micros);
        }

        var v = Math.Min(micros, int.MaxValue);
        var exponent = 63 - (int)long.LeadingZeroCount(v); // >= 7
        return Linear + ((exponent - 7) * Sub) + (int)((v >> (exponent - SubBits)) & (Sub - 1));
    }

    /// <summary>The middle of bucket <paramref name="index"/>, µs.</summary>
    public static double Value(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var exponent = ((index - Linear) / Sub) + 7;
        var width = 1L << (exponent - SubBits);
        return (1L << exponent) + (((index - Linear) % Sub) * width) + (width / 2.0);
    }

    /// <summary>The histogram of all of <paramref name="histograms"/>' values.</summary>
    public static int[] Sum(IEnumerable<int[]> histograms)
        => histograms.Aggregate(new int[Size], (total, h) => [.. total.Zip(h, (a, b) => a + b)]);

    /// <summary>The q-quantile (0..1), µs; NaN when empty.</summary>
    public static double Quantile(int[] histogram, double q)
    {
        var total = histogram.Sum(c => (long)c);
        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= rank)
            {
                return Value(i);
            }
        }

        return double.NaN;
    }

    /// <summary>The largest value, µs; NaN when empty.</summary>
    public static double Max(int[] histogram) => Array.FindLastIndex(histogram, c => c > 0) is var i and >= 0 ? Value(i) : double.NaN;
}
