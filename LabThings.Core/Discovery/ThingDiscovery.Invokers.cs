using System.Reflection;

namespace LabThings;

/// <summary>
/// How discovery calls into a Thing: <see cref="MethodInvoker"/> for getters, setters and actions, and small generic
/// forwarders for event handlers. Neither needs System.Linq.Expressions, whose compiler (and the assembly itself,
/// about 2 MiB of mapped code) used to be loaded and run for every affordance at start-up.
/// <see cref="MethodInvoker"/> does not wrap what the member throws in a <see cref="TargetInvocationException"/>, so
/// callers see the Thing's own exception, as they did with compiled expressions.
/// </summary>
internal static partial class ThingDiscovery
{
    private static Func<object, T> CompileGetter<T>(PropertyInfo property)
    {
        var invoker = MethodInvoker.Create(property.GetMethod!);
        return thing => (T)invoker.Invoke(thing)!;
    }

    private static Action<object, object?> CompileSetter(MethodInfo setter)
    {
        var invoker = MethodInvoker.Create(setter);
        return (thing, value) => invoker.Invoke(thing, value);
    }

    private static Action<object> CompileAction(MethodInfo method)
    {
        var invoker = MethodInvoker.Create(method);
        return thing => invoker.Invoke(thing);
    }

    private static Func<object, object?[], Task<object?>> CompileInvoker(MethodInfo method)
    {
        var invoker = MethodInvoker.Create(method);
        var returnType = method.ReturnType;
        Func<object?, Task<object?>> complete;
        if (returnType == typeof(void))
        {
            complete = static _ => Task.FromResult<object?>(null);
        }
        else if (returnType == typeof(Task))
        {
            complete = static task => AwaitVoidTaskAsync((Task)task!);
        }
        else if (returnType == typeof(ValueTask))
        {
            complete = static task => AwaitVoidValueTaskAsync((ValueTask)task!);
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            complete = AwaitTaskOfT.MakeGenericMethod(returnType.GetGenericArguments()[0]).CreateDelegate<Func<object?, Task<object?>>>();
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            complete = AwaitValueTaskOfT.MakeGenericMethod(returnType.GetGenericArguments()[0]).CreateDelegate<Func<object?, Task<object?>>>();
        }
        else
        {
            complete = static result => Task.FromResult(result);
        }

        return (thing, args) => complete(invoker.Invoke(thing, args.AsSpan()));
    }

    private static Task<object?> AwaitTaskAsync<T>(object? task) => AwaitTypedTaskAsync((Task<T>)task!);

    private static Task<object?> AwaitValueTaskAsync<T>(object? task) => AwaitTypedValueTaskAsync((ValueTask<T>)task!);

    private static async Task<object?> AwaitTypedTaskAsync<T>(Task<T> task) => await task.ConfigureAwait(false);

    private static async Task<object?> AwaitTypedValueTaskAsync<T>(ValueTask<T> task) => await task.ConfigureAwait(false);

    private static async Task<object?> AwaitVoidTaskAsync(Task task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> AwaitVoidValueTaskAsync(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    /// <summary>Builds, once, a function that adds a handler forwarding the payload to a callback, and returns its remover.</summary>
    private static Func<object, Action<object?>, Action> CompileSubscribe(EventInfo eventInfo, Type handlerType, Type? payloadType)
    {
        // The four handler types discovery accepts: EventHandler, Action, EventHandler<T>, Action<T>.
        Func<Action<object?>, Delegate> create;
        if (handlerType == typeof(EventHandler))
        {
            create = static callback => new EventHandler((_, _) => callback(null));
        }
        else if (handlerType == typeof(Action))
        {
            create = static callback => new Action(() => callback(null));
        }
        else
        {
            var forwarder = typeof(EventForwarder<>).MakeGenericType(payloadType!);
            var method = forwarder.GetMethod(handlerType.GetGenericTypeDefinition() == typeof(EventHandler<>) ? nameof(EventForwarder<object>.Handler) : nameof(EventForwarder<object>.Action))!;
            create = method.CreateDelegate<Func<Action<object?>, Delegate>>();
        }

        return (thing, callback) =>
        {
            var handler = create(callback);
            eventInfo.AddEventHandler(thing, handler);
            return () => eventInfo.RemoveEventHandler(thing, handler);
        };
    }

    /// <summary>Handlers of an event whose payload is a <typeparamref name="T"/>, forwarding it boxed to a callback.</summary>
    private static class EventForwarder<T>
    {
        public static Delegate Handler(Action<object?> callback) => new EventHandler<T>((_, payload) => callback(payload));

        public static Delegate Action(Action<object?> callback) => new Action<T>(payload => callback(payload));
    }
}
