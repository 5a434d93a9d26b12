using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Endpoints;

/// <summary>Writes JSON responses with LabThings' JSON conventions (<see cref="LabThingsJson.Options"/>).</summary>
internal static class JsonResponses
{
    /// <summary>Writes <paramref name="value"/> as JSON with <paramref name="status"/>.</summary>
    public static Task WriteAsync<T>(HttpContext context, int status, T value)
        => WriteUtf8Async(context, status, JsonSerializer.SerializeToUtf8Bytes(value, LabThingsJson.Options));

    /// <summary>Writes <paramref name="json"/>, already serialized, with <paramref name="status"/> (and a JSON media type, <c>application/json</c> unless given).</summary>
    public static Task WriteUtf8Async(HttpContext context, int status, byte[] json, string mediaType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = mediaType;
        context.Response.ContentLength = json.Length;
        return context.Response.Body.WriteAsync(json, context.RequestAborted).AsTask();
    }
}
