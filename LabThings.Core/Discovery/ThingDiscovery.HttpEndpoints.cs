using System.Collections.Immutable;
using System.Reflection;
using LabThings.Model;

namespace LabThings;

internal static partial class ThingDiscovery
{
    private static readonly string[] HttpMethodNames = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>The methods of <paramref name="thingType"/> that carry <see cref="HttpEndpointAttribute"/>.</summary>
    private static ImmutableArray<HttpEndpointDefinition> DiscoverHttpEndpoints(Type thingType, string typeName, IReadOnlyCollection<AffordanceDefinition> affordances, IReadOnlyList<string> thingScopes, List<string> problems)
    {
        var endpoints = new List<HttpEndpointDefinition>();
        foreach (var method in DeclaredMembers(thingType).OfType<MethodInfo>())
        {
            if (method.GetCustomAttribute<HttpEndpointAttribute>(inherit: true) is not { } attribute)
            {
                continue;
            }

            var where = $"{typeName}.{method.Name}";
            var verb = attribute.Method.ToUpperInvariant();
            var path = attribute.Path;
            var before = problems.Count;
            if (!HttpMethodNames.Contains(verb))
            {
                problems.Add($"{where}: [HttpEndpoint] method '{attribute.Method}' is not one of {string.Join(", ", HttpMethodNames)}");
            }

            var first = path.Split('/')[0];
            if (string.IsNullOrWhiteSpace(path) || path.StartsWith('/') || path.Contains("..", StringComparison.Ordinal))
            {
                problems.Add($"{where}: [HttpEndpoint] path '{path}' must be a relative route under the Thing, e.g. files/{{name}}");
            }
            else if (affordances.Any(a => a.Name.Equals(first, StringComparison.OrdinalIgnoreCase)) || ThingPaths.ReservedAffordanceNames.Contains(first))
            {
                problems.Add($"{where}: [HttpEndpoint] path '{path}' starts with '{first}', which the Thing's affordances or the server use");
            }

            if (!method.IsPublic)
            {
                problems.Add($"{where}: an [HttpEndpoint] method must be public");
            }

            if (!ReturnsResult(method.ReturnType))
            {
                problems.Add($"{where}: an [HttpEndpoint] method returns an ASP.NET Core IResult (or Task<IResult>), not {method.ReturnType.Name}");
            }

            if (problems.Count == before)
            {
                var scopes = thingScopes.Concat(method.GetCustomAttributes<RequireScopeAttribute>(inherit: true).Select(a => a.Scope)).Distinct(StringComparer.Ordinal).ToArray();
                endpoints.Add(new HttpEndpointDefinition(verb, path, method, attribute.Summary, attribute.Description, scopes));
            }
        }

        foreach (var clash in endpoints.GroupBy(e => (e.Method, e.Path)).Where(g => g.Count() > 1))
        {
            problems.Add($"{typeName}: {clash.Count()} [HttpEndpoint] methods answer {clash.Key.Method} {clash.Key.Path} ({string.Join(", ", clash.Select(e => e.Member.Name))})");
        }

        return [.. endpoints];
    }

    /// <summary>IResult, a type implementing it, or a Task/ValueTask of one (by name: Core does not reference ASP.NET Core).</summary>
    private static bool ReturnsResult(Type type)
    {
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            type = type.GetGenericArguments()[0];
        }

        const string ResultInterface = "Microsoft.AspNetCore.Http.IResult";
        return type.FullName == ResultInterface || type.GetInterfaces().Any(i => i.FullName == ResultInterface);
    }
}
