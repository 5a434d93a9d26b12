using System.Text;

namespace LabThings.ClientGenerator.Generation;

/// <summary>Writes C# source line by line with four-space indentation and <c>\n</c> line ends.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public CodeWriter Open()
    {
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Outdents and writes <c>}</c> (with <paramref name="after"/>, such as <c>;</c>).</summary>
    public CodeWriter Close(string after = "")
    {
        _indent--;
        return Line("}" + after);
    }

    /// <summary>An XML doc element, escaped, over as many lines as the text has.</summary>
    public CodeWriter Doc(string element, string text, string attributes = "")
    {
        var lines = Documentation.Lines(text).ToList();
        if (lines.Count == 1)
        {
            return Line($"/// <{element}{attributes}>{lines[0]}</{element}>");
        }

        Line($"/// <{element}{attributes}>");
        foreach (var line in lines)
        {
            Line(line.Length == 0 ? "/// <para/>" : "/// " + line);
        }

        return Line($"/// </{element}>");
    }

    /// <summary>A doc line written as it is (for elements holding <c>see</c> tags): the caller escapes it.</summary>
    public CodeWriter RawDoc(string xml) => Line("/// " + xml);

    public override string ToString() => _text.ToString();
}
