using System.Collections.Concurrent;
using LabThings.Outputs;

namespace LabThings.Server.Actions;

/// <summary>Blobs returned by actions, served at <c>/blob/{id}</c> while the invocation that made them is kept.</summary>
internal sealed class BlobStore
{
    private readonly ConcurrentDictionary<string, Blob> _blobs = new(StringComparer.Ordinal);

    public int Count => _blobs.Count;

    public string Add(Blob blob)
    {
        var id = Guid.NewGuid().ToString("D");
        _blobs[id] = blob;
        return id;
    }

    public Blob? Find(string id) => _blobs.GetValueOrDefault(id);

    public void Remove(string id) => _blobs.TryRemove(id, out _);

    /// <summary>
    /// The blob a client refers to by its href (absolute, or a path ending in <c>/blob/{id}</c>), or null if the
    /// href does not name a blob of this server.
    /// </summary>
    public Blob? FromHref(string href)
    {
        var path = Uri.TryCreate(href, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : href.Split('?', '#')[0];
        var marker = path.LastIndexOf("/blob/", StringComparison.Ordinal);
        return marker < 0 ? null : Find(path[(marker + "/blob/".Length)..].TrimEnd('/'));
    }
}
