namespace LabThings.Client;

/// <summary>Bytes downloaded from a Thing, such as a blob output or a snapshot, with their media type.</summary>
/// <param name="MediaType">The media type the server gave (<c>image/jpeg</c>), or <c>application/octet-stream</c> when it gave none.</param>
/// <param name="Data">The bytes.</param>
public sealed record ThingContent(string MediaType, ReadOnlyMemory<byte> Data);
