using Microsoft.CodeAnalysis;

namespace LabThings.Analyzers;

/// <summary>
/// The diagnostics LabThings reports while a Thing is written. Each is an error because the server refuses to
/// start with the same mistake (ThingDefinitions checks the same rules for assemblies built without the analyzer).
/// </summary>
internal static class Descriptors
{
    private const string Category = "LabThings";
    private const string HelpBase = "https://github.com/labthings-dotnet/labthings-dotnet/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor SetterWithoutSetProperty = Create(
        "LT0001",
        "A data property's setter must call SetProperty",
        "'{0}' is a data property but its setter does not call SetProperty: writes succeed, yet observers and the settings file never hear of them",
        "A [ThingProperty] or [ThingSetting] with a backing field is observable: its setter must store the value with SetProperty(ref field, value).");

    public static readonly DiagnosticDescriptor AsyncVoidAction = Create(
        "LT0002",
        "An action must not be async void",
        "Action '{0}' is async void: the server cannot wait for it or see its exceptions, and an exception would end the process; return Task",
        "An async void method returns at its first await; the invocation would report success at once, and an exception thrown afterwards is raised on the thread pool.");

    public static readonly DiagnosticDescriptor NonPublicAffordance = Create(
        "LT0003",
        "An affordance must be public",
        "'{0}' is {1} but carries [{2}], which publishes it over HTTP to every client; make it public or remove the attribute",
        "LabThings attributes put a member on the network. A non-public member with one is almost always a mistake.");

    public static readonly DiagnosticDescriptor UnsupportedType = Create(
        "LT0004",
        "An affordance's type must be one LabThings can send as JSON",
        "{0} has type '{1}', which LabThings cannot describe or send: {2}",
        "Property values, action inputs and outputs, and event payloads are sent as JSON and described by a JSON schema. Streams, delegates, pointers, tasks, and interfaces or abstract classes with no known shape have neither.");

    public static readonly DiagnosticDescriptor ByRefParameter = Create(
        "LT0005",
        "An action's parameters cannot be ref, out or in",
        "Parameter '{0}' of action '{1}' is '{2}': action input comes from a JSON body and output goes back as the return value; pass it by value, and return results",
        "Action arguments are read from the request's JSON body; nothing can be passed back through a reference.");

    public static readonly DiagnosticDescriptor MjpegStreamType = Create(
        "LT0006",
        "[MjpegStream] belongs on an MjpegStream property",
        "[MjpegStream] property '{0}' has type '{1}'; it must be a get-only MjpegStream property: 'public MjpegStream {0} => GetStream();'",
        "The server mounts a live stream, a viewer page and snapshots for an [MjpegStream] property; it needs the MjpegStream that GetStream() creates.");

    public static readonly DiagnosticDescriptor DuplicateWireName = Create(
        "LT0007",
        "Two affordances of a Thing cannot share a wire name",
        "'{0}' and '{1}' both have the wire name '{2}' (names are compared ignoring case); give one a different Name in its attribute",
        "Each affordance is a URL segment and a Thing Description key: snake_case of the member name without an Async suffix, unless the attribute's Name sets it.");

    public static readonly SuppressionDescriptor InstanceActionSuppression = new(
        "LTSP0001",
        "CA1822",
        "LabThings calls affordances on the Thing instance: an action or property that uses no instance data must still be an instance member.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string description) => new(
        id,
        title,
        message,
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: description,
        helpLinkUri: HelpBase + id.ToLowerInvariant());
}
