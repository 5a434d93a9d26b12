using LabThings.Model;
using LabThings.Outputs;

namespace LabThings.Description;

/// <summary>Builds a Thing's <see cref="ThingDescription"/> from its <see cref="ThingDefinition"/> (never from reflection).</summary>
internal static class ThingDescriptionBuilder
{
    private const string NoSecurity = "nosec_sc";
    private static readonly IReadOnlyDictionary<string, SecurityScheme> SecurityDefinitions =
        new Dictionary<string, SecurityScheme> { [NoSecurity] = new("nosec") };

    /// <summary>Describes the Thing <paramref name="thingName"/> served under <paramref name="applicationBase"/>.</summary>
    /// <param name="definition">The Thing type's definition.</param>
    /// <param name="thingName">The Thing's name on the server.</param>
    /// <param name="applicationBase">The absolute URL of the application root, e.g. <c>http://127.0.0.1:5000/</c>.</param>
    /// <returns>The Thing Description; its <c>base</c> is the Thing's absolute URL.</returns>
    public static ThingDescription Build(ThingDefinition definition, string thingName, Uri applicationBase)
    {
        var thingUrl = new Uri(applicationBase, ThingUrls.Thing(thingName).TrimStart('/'));
        var properties = new Dictionary<string, PropertyAffordance>(StringComparer.Ordinal);
        var links = new List<Link>();
        foreach (var stream in definition.Streams)
        {
            properties[stream.Name] = StreamProperty(stream);
            links.Add(new Link
            {
                Href = ThingUrls.RelativeStreamViewer(stream.Name),
                Rel = "alternate",
                Type = "text/html",
                Anchor = ThingUrls.RelativeAffordance(stream.Name),
            });
        }

        return new ThingDescription
        {
            Id = $"urn:labthings:{thingName}",
            Title = definition.Title,
            Description = definition.Description,
            Base = thingUrl.AbsoluteUri,
            SecurityDefinitions = SecurityDefinitions,
            Security = [NoSecurity],
            Properties = properties.Count > 0 ? properties : null,
            Links = links.Count > 0 ? links : null,
        };
    }

    /// <summary>
    /// A stream is a read-only, observable property: reading it gives the newest frame as a JPEG
    /// snapshot, observing it gives the MJPEG stream.
    /// </summary>
    private static PropertyAffordance StreamProperty(StreamDefinition stream) => new()
    {
        Title = stream.Title,
        Description = stream.Description,
        ReadOnly = true,
        WriteOnly = false,
        Observable = true,
        Forms =
        [
            new Form
            {
                Href = ThingUrls.RelativeStreamSnapshot(stream.Name),
                Op = ["readproperty"],
                ContentType = "image/jpeg",
                MethodName = "GET",
            },
            new Form
            {
                Href = ThingUrls.RelativeAffordance(stream.Name),
                Op = ["observeproperty"],
                ContentType = MjpegStream.MultipartContentType,
                MethodName = "GET",
            },
        ],
    };
}
