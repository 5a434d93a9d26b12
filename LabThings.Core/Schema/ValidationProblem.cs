namespace LabThings.Schema;

/// <summary>One reason a value was rejected: which field (a JSON Pointer, empty for the whole value) broke which rule.</summary>
/// <param name="Field">The offending field as a JSON Pointer into the value (<c>/position/x</c>), or empty for the value itself.</param>
/// <param name="Rule">The schema keyword that failed, e.g. <c>maximum</c>, <c>type</c>, <c>required</c>.</param>
/// <param name="Message">A sentence saying what is wrong.</param>
public sealed record ValidationProblem(string Field, string Rule, string Message);
