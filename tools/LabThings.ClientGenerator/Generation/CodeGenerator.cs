using System.Reflection;
using System.Text.Json;

namespace LabThings.ClientGenerator.Generation;

/// <summary>One generated source file.</summary>
/// <param name="FileName">Its name (<c>{ClassName}.g.cs</c>).</param>
/// <param name="ClassName">The client class it declares.</param>
/// <param name="Text">The C# source.</param>
internal sealed record GeneratedFile(string FileName, string ClassName, string Text);

/// <summary>Generates typed clients, one file per Thing Description.</summary>
internal static class CodeGenerator
{
    /// <summary>The tool's version, written into the generated code's <c>GeneratedCode</c> attributes.</summary>
    public static string ToolVersion { get; } = typeof(CodeGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// The client for each of <paramref name="descriptions"/> (checked by <see cref="TdCheck"/>), in one namespace.
    /// Class names come from the TDs' titles (<c>Synthetic camera</c> → <c>SyntheticCameraClient</c>); record and
    /// enum names that two Things would both use get the Thing's name in front.
    /// </summary>
    public static IReadOnlyList<GeneratedFile> Generate(IReadOnlyList<JsonElement> descriptions, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(descriptions);
        if (!IsNamespace(@namespace))
        {
            throw new ArgumentException($"'{@namespace}' is not a C# namespace.", nameof(@namespace));
        }

        var names = new TypeNames();
        var classNames = descriptions
            .Select(d => names.Reserve(Identifiers.Pascal(d.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "", "Thing") + "Client", ""))
            .ToList();
        return descriptions
            .Select((d, i) => new GeneratedFile(classNames[i] + ".g.cs", classNames[i], ThingEmitter.Emit(d, classNames[i], @namespace, names, ToolVersion)))
            .ToList();
    }

    /// <summary>Whether <paramref name="text"/> is a dotted C# namespace (<c>Lab.Clients</c>) of identifiers that are not keywords.</summary>
    public static bool IsNamespace(string text) =>
        !string.IsNullOrEmpty(text)
        && text.Split('.').All(part => part.Length > 0
            && (char.IsLetter(part[0]) || part[0] == '_')
            && part.All(c => char.IsLetterOrDigit(c) || c == '_')
            && !Identifiers.IsKeyword(part));
}
