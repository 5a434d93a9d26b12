using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;

namespace LabThings.Server.Configuration;

/// <summary>
/// Finds Thing types named in configuration: in an assembly file the configuration points at (loaded once, its
/// dependencies resolved from its <c>.deps.json</c> or its folder), by assembly-qualified name, or in an assembly
/// already loaded (the application's own, or those a host such as the server tool ships).
/// </summary>
internal static class ThingTypes
{
    private static readonly ConcurrentDictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);

    public static Type? Resolve(string typeName, string? assemblyFile, string path, List<string> problems)
    {
        Type? type;
        if (!string.IsNullOrWhiteSpace(assemblyFile))
        {
            var file = Path.GetFullPath(assemblyFile);
            if (!File.Exists(file))
            {
                problems.Add($"{path}:Assembly: there is no file {file}");
                return null;
            }

            Assembly assembly;
            try
            {
                assembly = Loaded.GetOrAdd(file, Load);
            }
            catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException or InvalidOperationException)
            {
                problems.Add($"{path}:Assembly: cannot load {file}: {ex.Message}");
                return null;
            }

            type = assembly.GetType(typeName, throwOnError: false);
            if (type is null)
            {
                problems.Add($"{path}:Type: {assembly.GetName().Name} has no type '{typeName}'{Suggest(typeName, [assembly])}");
                return null;
            }
        }
        else
        {
            type = FindLoaded(typeName);
            if (type is null)
            {
                problems.Add($"{path}:Type: no type '{typeName}' is loaded; give the namespace, or the \"Assembly\" file it is in{Suggest(typeName, AppDomain.CurrentDomain.GetAssemblies().Concat(ApplicationAssembliesDefining((_, name) => name == SimpleName(typeName))))}");
                return null;
            }
        }

        if (!type.IsSubclassOf(typeof(Thing)) || type.IsAbstract || type.ContainsGenericParameters)
        {
            problems.Add($"{path}:Type: {type.FullName} is not a Thing (a concrete subclass of {typeof(Thing).FullName})");
            return null;
        }

        return type;
    }

    private static Type? FindLoaded(string typeName)
    {
        try
        {
            if (Type.GetType(typeName, throwOnError: false) is { } direct)
            {
                return direct;
            }
        }
        catch (Exception ex) when (ex is FileLoadException or BadImageFormatException or ArgumentException)
        {
            // An assembly-qualified name whose assembly cannot be loaded: reported as not found below.
        }

        return AppDomain.CurrentDomain.GetAssemblies()
                .Where(a => !a.IsDynamic)
                .Select(a => a.GetType(typeName, throwOnError: false))
                .FirstOrDefault(t => t is not null)
            ?? FindInApplicationFolder(typeName);
    }

    /// <summary>
    /// A type in an assembly of the application's folder that is not loaded yet (a library the app references but has
    /// not used so far): each file's metadata is read without loading it, and only the one defining the type is loaded.
    /// </summary>
    private static Type? FindInApplicationFolder(string typeName)
    {
        var dot = typeName.LastIndexOf('.');
        var (ns, name) = dot < 0 ? (string.Empty, typeName) : (typeName[..dot], typeName[(dot + 1)..]);
        return ApplicationAssembliesDefining((typeNamespace, typeSimpleName) => typeSimpleName == name && typeNamespace == ns)
            .Select(a => a.GetType(typeName, throwOnError: false))
            .FirstOrDefault(t => t is not null);
    }

    /// <summary>The assemblies in the application's folder that define a type matching <paramref name="match"/> (namespace, name).</summary>
    private static IEnumerable<Assembly> ApplicationAssembliesDefining(Func<string, string, bool> match)
    {
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var file in files)
        {
            if (!Defines(file, match))
            {
                continue;
            }

            Assembly? assembly = null;
            try
            {
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyName(AssemblyName.GetAssemblyName(file));
            }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                // Not loadable here: not a candidate.
            }

            if (assembly is not null)
            {
                yield return assembly;
            }
        }
    }

    private static bool Defines(string file, Func<string, string, bool> match)
    {
        try
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.TypeDefinitions)
            {
                var type = metadata.GetTypeDefinition(handle);
                if (match(metadata.GetString(type.Namespace), metadata.GetString(type.Name)))
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Not a .NET assembly (a native library): nothing to find in it.
        }

        return false;
    }

    /// <summary>Thing types whose class name matches the end of <paramref name="typeName"/>, as a hint.</summary>
    private static string Suggest(string typeName, IEnumerable<Assembly> assemblies)
    {
        var simple = SimpleName(typeName);
        var candidates = assemblies
            .Where(a => !a.IsDynamic)
            .SelectMany(ThingTypesIn)
            .Where(t => string.Equals(t.Name, simple, StringComparison.OrdinalIgnoreCase))
            .Select(t => t.FullName)
            .Distinct()
            .Take(5)
            .ToList();
        return candidates.Count == 0 ? string.Empty : $" (did you mean {string.Join(" or ", candidates)}?)";
    }

    private static string SimpleName(string typeName)
    {
        var simple = typeName.Split(',')[0].Trim();
        return simple[(simple.LastIndexOf('.') + 1)..];
    }

    private static IEnumerable<Type> ThingTypesIn(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is NotSupportedException or FileNotFoundException or FileLoadException or ReflectionTypeLoadException)
        {
            return [];
        }

        return types.Where(t => t.IsSubclassOf(typeof(Thing)) && !t.IsAbstract);
    }

    private static Assembly Load(string file)
    {
        // Dependencies the host already has (LabThings itself) come from the host; others from the plug-in's folder.
        var resolver = new AssemblyDependencyResolver(file);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = resolver.ResolveAssemblyToPath(name)
                ?? Path.Combine(Path.GetDirectoryName(file)!, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        return AssemblyLoadContext.Default.LoadFromAssemblyPath(file);
    }
}
