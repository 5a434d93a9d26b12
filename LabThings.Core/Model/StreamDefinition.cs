using System.Reflection;
using LabThings.Outputs;

namespace LabThings.Model;

/// <summary>An MJPEG stream of a Thing type: a get-only <see cref="MjpegStream"/> property tagged <c>[MjpegStream]</c>.</summary>
public sealed class StreamDefinition : AffordanceDefinition
{
    private readonly Func<object, MjpegStream> _accessor;

    internal StreamDefinition(string name, string title, string? description, PropertyInfo property, int ringbufferSize, Func<object, MjpegStream> accessor)
        : base(name, title, description, property)
    {
        RingbufferSize = ringbufferSize;
        _accessor = accessor;
    }

    /// <summary>How many frames the stream keeps.</summary>
    public int RingbufferSize { get; }

    /// <summary>The property that returns the stream.</summary>
    public PropertyInfo Property => (PropertyInfo)Member;

    /// <summary>Reads the stream from a Thing instance of this definition's type (compiled: no reflection per call); creates it on first access.</summary>
    internal MjpegStream GetStream(object thing) => _accessor(thing);
}
