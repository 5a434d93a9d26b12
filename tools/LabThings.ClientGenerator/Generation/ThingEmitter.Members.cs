using System.Text.Json;

namespace LabThings.ClientGenerator.Generation;

internal sealed partial class ThingEmitter
{
    private static readonly string[] BlobMembers = ["href", "media_type", "rel", "description"];

    private void WriteProperty(string name, JsonElement affordance)
    {
        var pascal = Identifiers.Pascal(name);
        var type = _mapper.Map(affordance, pascal);
        var about = Documentation.Of(affordance);
        var literal = Literal(name);
        var checkNull = !type.IsValueType && !type.IsNullable;

        if (!IsTrue(affordance, "writeOnly") && HasOp(affordance, "readproperty"))
        {
            Summary($"Reads the property '{name}'", about);
            TokenDoc("Cancels the request.");
            _code.Doc("returns", "The property's value.");
            ProblemDoc();
            _code.Line($"public async {Task}<{type.Code}> {Member("Read" + pascal, "Read" + pascal + "Property")}({Token} cancellationToken = default) =>")
                .Line($"    await Thing.ReadPropertyAsync<{type.Code}>({literal}, cancellationToken).ConfigureAwait(false){(checkNull ? $" ?? throw NullValue({Literal($"the property '{name}'")})" : "")};")
                .Line();
        }

        if (!IsTrue(affordance, "readOnly") && HasOp(affordance, "writeproperty"))
        {
            Summary($"Writes the property '{name}'", about);
            _code.Doc("param", "The new value.", " name=\"value\"");
            TokenDoc("Cancels the request.");
            _code.Doc("returns", "A task that completes when the Thing has accepted the value.");
            ProblemDoc("The Thing refused the value (422 for one its schema does not allow).");
            _code.Line($"public {Task} {Member("Write" + pascal, "Write" + pascal + "Property")}({type.Code} value, {Token} cancellationToken = default) =>")
                .Line($"    Thing.WritePropertyAsync({literal}, value, cancellationToken);")
                .Line();
        }

        if (HasOp(affordance, "observeproperty", subprotocol => subprotocol != "mjpeg"))
        {
            Summary($"Observes the property '{name}': each new value, for as long as the enumeration lasts", about);
            TokenDoc("Ends the observation.");
            _code.Doc("returns", "The values as the Thing reports them.");
            ProblemDoc();
            var method = Member("Observe" + pascal, "Observe" + pascal + "Property");
            WriteStream(method, type, $"Thing.ObservePropertyAsync<{type.Code}>({literal}, cancellationToken)", checkNull, $"the property '{name}'");
        }

        if (HasOp(affordance, "observeproperty", subprotocol => subprotocol == "mjpeg"))
        {
            Summary($"Reads the frames of the stream '{name}' (MJPEG): one JPEG image each, for as long as the enumeration lasts", about);
            TokenDoc("Ends the stream.");
            _code.Doc("returns", "The frames, each a complete JPEG image.");
            ProblemDoc();
            _code.Line($"public {AsyncEnumerable}<global::System.ReadOnlyMemory<byte>> {Member("Read" + pascal + "Frames")}({Token} cancellationToken = default) =>")
                .Line($"    Thing.ReadFramesAsync({literal}, cancellationToken);")
                .Line();
        }
    }

    private void WriteAction(string name, JsonElement affordance)
    {
        if (!HasOp(affordance, "invokeaction"))
        {
            return;
        }

        var pascal = Identifiers.Pascal(name);
        var literal = Literal(name);
        var parameters = Parameters(affordance, pascal, out var inputExpression, out var buildInput);
        var output = affordance.TryGetProperty("output", out var o) ? _mapper.Resolve(o) : null;
        var isBlob = IsBlobLink(output);
        var outputType = output is null ? null : isBlob ? null : _mapper.Map(o, pascal + "Output");

        Summary($"Invokes the action '{name}'", Documentation.Of(affordance));
        foreach (var parameter in parameters)
        {
            _code.Doc("param", parameter.Doc, $" name=\"{parameter.Name.TrimStart('@')}\"");
        }

        _code.Doc("param", "Told the invocation's progress, from 0 to 1, when the Thing reports it.", " name=\"progress\"");
        TokenDoc("Cancels the call, and the invocation on the Thing when the Thing lets it be cancelled.");
        _code.Doc("returns", isBlob ? "The output's content, downloaded from the link the Thing returned." : outputType is null ? "A task that completes when the action has finished." : "The action's output.");
        ProblemDoc("The Thing refused the invocation (422 for input its schema does not allow).");
        _code.RawDoc($"<exception cref=\"{ActionException}\">The invocation ended with an error, or was cancelled on the Thing.</exception>");

        var signature = string.Join(", ", parameters.Select(p => p.Declaration)
            .Append("global::System.IProgress<double>? progress = null")
            .Append($"{Token} cancellationToken = default"));
        var returnType = isBlob ? $"{Task}<global::LabThings.Client.ThingContent>" : outputType is null ? Task : $"{Task}<{outputType.Code}>";
        _code.Line($"public async {returnType} {Member(pascal, "Invoke" + pascal)}({signature})").Open();
        foreach (var line in buildInput)
        {
            _code.Line(line);
        }

        if (isBlob)
        {
            _code.Line($"var _link = await Thing.InvokeActionAsync({literal}, {inputExpression}, progress, cancellationToken).ConfigureAwait(false);")
                .Line("return await Thing.DownloadAsync(_link, cancellationToken).ConfigureAwait(false);");
        }
        else if (outputType is null)
        {
            _code.Line($"await Thing.InvokeActionAsync({literal}, {inputExpression}, progress, cancellationToken).ConfigureAwait(false);");
        }
        else
        {
            var checkNull = !outputType.IsValueType && !outputType.IsNullable ? $" ?? throw NullValue({Literal($"the output of '{name}'")})" : "";
            _code.Line($"return await Thing.InvokeActionAsync<{outputType.Code}>({literal}, {inputExpression}, progress, cancellationToken).ConfigureAwait(false){checkNull};");
        }

        _code.Close().Line();
    }

    /// <summary>
    /// The method parameters for an action's input: one per member of an object input (required members first,
    /// the others nullable and omitted when null), one <c>input</c> for any other input, none without one.
    /// </summary>
    private List<(string Name, string Declaration, string Doc)> Parameters(JsonElement affordance, string pascal, out string inputExpression, out List<string> buildInput)
    {
        buildInput = [];
        inputExpression = "null";
        if (!affordance.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var resolved = _mapper.Resolve(input);
        if (resolved is not { } schema
            || !schema.TryGetProperty("properties", out var members) || members.ValueKind != JsonValueKind.Object || !members.EnumerateObject().Any()
            || SchemaMapper.AllowsNull(schema))
        {
            var type = _mapper.Map(input, pascal + "Input");
            inputExpression = "input";
            return type == CsType.Json
                ? [("input", "object? input = null", "The input, as JSON or any object that serializes to what the Thing expects.")]
                : [("input", $"{type.Code} input", Documentation.Of(input) ?? "The input.")];
        }

        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet(StringComparer.Ordinal)
            : [];
        var taken = new HashSet<string>(StringComparer.Ordinal) { "progress", "cancellationToken" };
        var result = new List<(string Name, string Declaration, string Doc, bool Required)>();
        buildInput.Add("var _input = new global::System.Text.Json.Nodes.JsonObject();");
        foreach (var member in members.EnumerateObject())
        {
            var isRequired = required.Contains(member.Name);
            var type = _mapper.Map(member.Value, Identifiers.Pascal(member.Name), input);
            var camel = Identifiers.Camel(member.Name);
            var name = Identifiers.Unique(taken, [camel, camel + "Value"]);
            var doc = Documentation.Of(member.Value) ?? $"The input's '{member.Name}'.";
            var serialize = $"_input[{Literal(member.Name)}] = global::System.Text.Json.JsonSerializer.SerializeToNode({name});";
            if (isRequired)
            {
                result.Add((name, $"{type.Code} {name}", doc, true));
                buildInput.Add(serialize);
            }
            else
            {
                result.Add((name, $"{type.Nullable().Code} {name} = null", doc + " Left out when null, so the Thing's default applies.", false));
                buildInput.Add($"if ({name} is not null)");
                buildInput.Add("{");
                buildInput.Add("    " + serialize);
                buildInput.Add("}");
            }
        }

        buildInput.Add("");
        inputExpression = "_input";
        return [.. result.Where(p => p.Required).Concat(result.Where(p => !p.Required)).Select(p => (p.Name, p.Declaration, p.Doc))];
    }

    /// <summary>A LabThings (and labthings-fastapi) blob output: a link <c>{href, media_type}</c> to download.</summary>
    private static bool IsBlobLink(JsonElement? output) =>
        output is { ValueKind: JsonValueKind.Object } schema
        && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
        && properties.TryGetProperty("href", out _) && properties.TryGetProperty("media_type", out _)
        && properties.EnumerateObject().All(p => BlobMembers.Contains(p.Name));

    private void WriteEvent(string name, JsonElement affordance)
    {
        if (!HasOp(affordance, "subscribeevent"))
        {
            return;
        }

        var pascal = Identifiers.Pascal(name);
        var type = affordance.TryGetProperty("data", out var data) ? _mapper.Map(data, pascal + "Event") : CsType.Json;
        Summary($"Subscribes to the event '{name}': each occurrence's data, for as long as the enumeration lasts", Documentation.Of(affordance));
        TokenDoc("Ends the subscription.");
        _code.Doc("returns", "The data of each occurrence.");
        ProblemDoc();
        var method = Member("Subscribe" + pascal, "Subscribe" + pascal + "Event");
        WriteStream(method, type, $"Thing.SubscribeEventAsync<{type.Code}>({Literal(name)}, cancellationToken)", !type.IsValueType && !type.IsNullable, $"the event '{name}'");
    }

    /// <summary>A method returning an async enumerable of <paramref name="type"/>, checking each item for null when it may not be null.</summary>
    private void WriteStream(string method, CsType type, string source, bool checkNull, string what)
    {
        if (!checkNull)
        {
            _code.Line($"public {AsyncEnumerable}<{type.Code}> {method}({Token} cancellationToken = default) =>")
                .Line($"    {source};")
                .Line();
            return;
        }

        _code.Line($"public async {AsyncEnumerable}<{type.Code}> {method}([global::System.Runtime.CompilerServices.EnumeratorCancellation] {Token} cancellationToken = default)").Open()
            .Line($"await foreach (var item in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.ConfigureAwait({source}, false))").Open()
            .Line($"yield return item ?? throw NullValue({Literal(what)});")
            .Close()
            .Close()
            .Line();
    }

    private void Summary(string what, string? about) => _code.Doc("summary", about is null ? what + "." : what + ": " + about);

    private void TokenDoc(string text) => _code.Doc("param", text, " name=\"cancellationToken\"");

    private void ProblemDoc(string text = "The Thing answered with an error status.") =>
        _code.RawDoc($"<exception cref=\"{ProblemException}\">{Documentation.Escape(text)}</exception>");

    private void WriteRecord(RecordDefinition record, string generatedCode)
    {
        _code.Doc("summary", record.Documentation ?? $"An object in the Thing Description of '{_title}'.")
            .Line(generatedCode)
            .Line($"public sealed record {record.Name}").Open();
        var first = true;
        foreach (var field in record.Fields)
        {
            if (!first)
            {
                _code.Line();
            }

            first = false;
            _code.Doc("summary", field.Documentation ?? $"The member '{field.WireName}'.")
                .Line($"[{Serialization}.JsonPropertyName({Literal(field.WireName)})]");
            if (!field.Required)
            {
                _code.Line($"[{Serialization}.JsonIgnore(Condition = {Serialization}.JsonIgnoreCondition.WhenWritingNull)]");
            }

            _code.Line($"public {(field.Required ? "required " : "")}{field.Type.Code} {field.Name} {{ get; init; }}");
        }

        _code.Close();
    }

    private void WriteEnum(EnumDefinition enumeration, string generatedCode)
    {
        _code.Doc("summary", enumeration.Documentation ?? $"The values of a string in the Thing Description of '{_title}'.")
            .Line(generatedCode)
            .Line($"[{Serialization}.JsonConverter(typeof({Serialization}.JsonStringEnumConverter<{enumeration.Name}>))]")
            .Line($"public enum {enumeration.Name}").Open();
        foreach (var member in enumeration.Members)
        {
            _code.Doc("summary", $"\"{member.WireValue}\"")
                .Line($"[{Serialization}.JsonStringEnumMemberName({Literal(member.WireValue)})]")
                .Line(member.Name + ",");
        }

        _code.Close();
    }
}
