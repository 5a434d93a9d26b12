using System.Text.Json.Serialization;

namespace LabThings.Server.Actions;

/// <summary>The life of an invocation: pending → running → completed, cancelled or error (lower case on the wire).</summary>
internal enum InvocationStatus
{
    [JsonStringEnumMemberName("pending")]
    Pending,

    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("completed")]
    Completed,

    [JsonStringEnumMemberName("cancelled")]
    Cancelled,

    [JsonStringEnumMemberName("error")]
    Error,
}
