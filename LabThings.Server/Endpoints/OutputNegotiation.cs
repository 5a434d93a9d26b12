using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LabThings.Server.Endpoints;

/// <summary>
/// Whether an action's blob output goes back as its bytes or as its JSON link (<c>{"href", "media_type"}</c>, the
/// form the action's TD <c>output</c> schema describes). Bytes unless the Accept header prefers
/// <c>application/json</c> to the blob's media type: by quality, then by how specifically each is named
/// (<c>image/jpeg</c> beats <c>image/*</c> beats <c>*/*</c>). No Accept header, or <c>*/*</c> alone, gives bytes as before.
/// </summary>
internal static class OutputNegotiation
{
    public static bool PrefersJson(HttpRequest request, string? blobMediaType)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var ranges) || ranges.Count == 0)
        {
            return false;
        }

        var json = Best(ranges, "application", "json");
        var blob = blobMediaType is not null && MediaTypeHeaderValue.TryParse(blobMediaType, out var parsed)
            ? Best(ranges, parsed.Type.Value ?? "", parsed.SubType.Value ?? "")
            : Best(ranges, "application", "octet-stream");
        return json.Quality > 0 && (json.Quality > blob.Quality || (json.Quality == blob.Quality && json.Specificity > blob.Specificity));
    }

    /// <summary>The quality and specificity (2 exact, 1 type/*, 0 */*) of the most specific range that matches.</summary>
    private static (double Quality, int Specificity) Best(IList<MediaTypeHeaderValue> ranges, string type, string subType)
    {
        (double Quality, int Specificity) best = (0, -1);
        foreach (var range in ranges)
        {
            var rangeType = range.Type.Value ?? "";
            var rangeSubType = range.SubType.Value ?? "";
            int specificity;
            if (rangeType == "*" && rangeSubType == "*")
            {
                specificity = 0;
            }
            else if (string.Equals(rangeType, type, StringComparison.OrdinalIgnoreCase) && rangeSubType == "*")
            {
                specificity = 1;
            }
            else if (string.Equals(rangeType, type, StringComparison.OrdinalIgnoreCase) && string.Equals(rangeSubType, subType, StringComparison.OrdinalIgnoreCase))
            {
                specificity = 2;
            }
            else
            {
                continue;
            }

            if (specificity > best.Specificity)
            {
                best = (range.Quality ?? 1, specificity);
            }
        }

        return best.Specificity < 0 ? (0, -1) : best;
    }
}
