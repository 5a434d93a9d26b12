namespace LabThings.Outputs;

/// <summary>
/// Binary data with a media type, such as a captured image, returned by an action or taken as an action's
/// input. In JSON a blob appears as <c>{"href": …, "media_type": …}</c>; the server serves its bytes at
/// <c>GET /blob/{id}</c> for as long as the invocation that produced it is kept.
/// </summary>
/// <remarks>Blobs are immutable and thread-safe.</remarks>
public sealed class Blob
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly string? _path;

    private Blob(ReadOnlyMemory<byte> bytes, string? path, string mediaType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        _bytes = bytes;
        _path = path;
        MediaType = mediaType;
    }

    /// <summary>The media type of the data, e.g. <c>image/jpeg</c>.</summary>
    public string MediaType { get; }

    /// <summary>The size in bytes (for a file, its size now).</summary>
    public long Length => _path is null ? _bytes.Length : new FileInfo(_path).Length;

    /// <summary>The file the data is read from, or null for data held in memory.</summary>
    public string? FilePath => _path;

    /// <summary>A blob holding <paramref name="data"/>. The data is not copied: do not change it afterwards.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="mediaType">Their media type.</param>
    /// <returns>The blob.</returns>
    public static Blob FromBytes(ReadOnlyMemory<byte> data, string mediaType) => new(data, null, mediaType);

    /// <summary>A blob whose data is the file at <paramref name="path"/>, read each time the blob is read.</summary>
    /// <param name="path">The file; it must exist.</param>
    /// <param name="mediaType">Its media type.</param>
    /// <returns>The blob.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Blob FromFile(string path, string mediaType)
    {
        var full = Path.GetFullPath(path);
        return File.Exists(full) ? new(default, full, mediaType) : throw new FileNotFoundException("The blob's file does not exist.", full);
    }

    /// <summary>A blob holding everything read from <paramref name="stream"/> (read to its end now, into memory).</summary>
    /// <param name="stream">The data; it is read but not disposed.</param>
    /// <param name="mediaType">Its media type.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The blob.</returns>
    public static async Task<Blob> FromStreamAsync(Stream stream, string mediaType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return new(buffer.ToArray(), null, mediaType);
    }

    /// <summary>Opens the data for reading. Dispose the stream when done.</summary>
    /// <returns>A readable stream.</returns>
    public Stream OpenRead()
    {
        if (_path is not null)
        {
            return new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        }

        return System.Runtime.InteropServices.MemoryMarshal.TryGetArray(_bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(_bytes.ToArray(), writable: false);
    }

    /// <summary>Reads all the data.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes.</returns>
    public async Task<ReadOnlyMemory<byte>> ReadAllBytesAsync(CancellationToken cancellationToken = default)
        => _path is null ? _bytes : await File.ReadAllBytesAsync(_path, cancellationToken).ConfigureAwait(false);
}
