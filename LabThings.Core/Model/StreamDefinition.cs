using System.Reflection;
using LabThings.Outputs;

namespace LabThings.Model;

/// <summary>An MJPEG stream of a Thing type: a get-only <see cref="MjpegStream"/> property tagged <see cref="MjpegStreamAttribute"/>.</summary>
public sealed record StreamDefinition : AffordanceDefinition
{
    /// <inheritdoc />
    public override AffordanceKind Kind => AffordanceKind.Stream;

    /// <summary>How many frames the stream keeps.</summary>
    public required int RingbufferSize { get; init; }

    /// <summary>The property that returns the stream.</summary>
    public PropertyInfo Property => (PropertyInfo)Member;

    /// <summary>Reads the stream from a Thing instance (a compiled accessor: no reflection per call).</summary>
    internal Func<Thing, MjpegStream> Accessor { get; init; } = _ => throw new InvalidOperationException("This stream definition has no accessor.");

    /// <summary>Returns this stream of <paramref name="thing"/>, creating it on first access.</summary>
    /// <param name="thing">An instance of the Thing type this definition belongs to.</param>
    /// <returns>The stream.</returns>
    public MjpegStream GetStream(Thing thing) => Accessor(thing);
}
