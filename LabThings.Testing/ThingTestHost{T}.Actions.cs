using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Outputs;
using Microsoft.Extensions.Logging;

namespace LabThings.Testing;

/// <content>Running the Thing's actions with a real <see cref="ActionContext"/>.</content>
public sealed partial class ThingTestHost<T>
{
    // The overloads by name and by delegate differ in their first parameter's type, so a call is never ambiguous.
#pragma warning disable RS0026 // Do not add multiple public overloads with optional parameters

    /// <summary>
    /// Starts the action named <paramref name="action"/> as a server would: <paramref name="input"/> is checked against the
    /// action's input schema, then the action runs on the thread pool with a real <see cref="ActionContext"/> (its
    /// progress, log and cancellation recorded in the returned <see cref="TestInvocation"/>).
    /// </summary>
    /// <param name="action">The action's wire name (<c>slowly_increase_counter</c>).</param>
    /// <param name="input">
    /// The input: an object whose members are the parameters (<c>new { increments = 3 }</c>, a dictionary, a
    /// <see cref="JsonNode"/>), a JSON text, or null for none. Member names are written in snake_case.
    /// </param>
    /// <returns>The running invocation.</returns>
    /// <exception cref="ArgumentException">The Thing has no such action.</exception>
    /// <exception cref="PropertyValidationException">The input breaks the action's input schema (a server answers 422); nothing ran.</exception>
    public TestInvocation StartAction(string action, object? input = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var definition = Thing.Definition.Find(action) as ActionDefinition
            ?? throw new ArgumentException($"{typeof(T).Name} has no action '{action}' (its actions: {string.Join(", ", Thing.Definition.Actions.Select(a => a.Name))}).", nameof(action));
        return Start(definition, input);
    }

    /// <summary>
    /// Starts an action given as a method of the Thing (<c>host.StartAction(host.Thing.SlowlyIncreaseCounterAsync, new { increments = 3 })</c>),
    /// so that renaming the method renames the test; otherwise as <see cref="StartAction(string, object?)"/>.
    /// </summary>
    /// <param name="action">A <see cref="ThingActionAttribute"/> method of <see cref="Thing"/>.</param>
    /// <param name="input">The input, as for <see cref="StartAction(string, object?)"/>.</param>
    /// <returns>The running invocation.</returns>
    /// <exception cref="ArgumentException">The delegate is not an action method of this Thing.</exception>
    /// <exception cref="PropertyValidationException">The input breaks the action's input schema; nothing ran.</exception>
    public TestInvocation StartAction(Delegate action, object? input = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!ReferenceEquals(action.Target, Thing))
        {
            throw new ArgumentException($"The delegate must be a method of the Thing under test (host.Thing.{action.Method.Name}).", nameof(action));
        }

        var definition = Thing.Definition.Actions.FirstOrDefault(a => a.Member is System.Reflection.MethodInfo m && m.MethodHandle == action.Method.MethodHandle)
            ?? throw new ArgumentException($"{typeof(T).Name}.{action.Method.Name} is not a [ThingAction].", nameof(action));
        return Start(definition, input);
    }

    /// <summary>Runs the action named <paramref name="action"/> to its end (see <see cref="StartAction(string, object?)"/>).</summary>
    /// <param name="action">The action's wire name.</param>
    /// <param name="input">The input, as for <see cref="StartAction(string, object?)"/>.</param>
    /// <param name="cancellationToken">Cancels the invocation, as <see cref="TestInvocation.Cancel"/> does.</param>
    /// <returns>The ended invocation: completed, failed (with the exception) or cancelled. It does not throw what the action threw.</returns>
    public Task<TestInvocation> InvokeActionAsync(string action, object? input = null, CancellationToken cancellationToken = default)
        => RunAsync(StartAction(action, input), cancellationToken);

    /// <summary>Runs an action given as a method of the Thing to its end (see <see cref="StartAction(Delegate, object?)"/>).</summary>
    /// <param name="action">A <see cref="ThingActionAttribute"/> method of <see cref="Thing"/>.</param>
    /// <param name="input">The input, as for <see cref="StartAction(string, object?)"/>.</param>
    /// <param name="cancellationToken">Cancels the invocation, as <see cref="TestInvocation.Cancel"/> does.</param>
    /// <returns>The ended invocation.</returns>
    public Task<TestInvocation> InvokeActionAsync(Delegate action, object? input = null, CancellationToken cancellationToken = default)
        => RunAsync(StartAction(action, input), cancellationToken);

#pragma warning restore RS0026

    private static async Task<TestInvocation> RunAsync(TestInvocation invocation, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(invocation.Cancel);
        await invocation.Completion.ConfigureAwait(false);
        return invocation;
    }

    private TestInvocation Start(ActionDefinition action, object? input)
    {
        var json = input switch
        {
            null => "{}",
            string text => text,
            JsonNode node => node.ToJsonString(),
            _ => JsonSerializer.Serialize(input, input.GetType(), LabThingsJson.Options),
        };
        var (_, values) = ActionInvoker.BindInput(action, json, _ => null);

        var cancellation = new CancellationTokenSource();
        var records = new RecordingLogger();
        var invocation = new TestInvocation(action.Name, records, cancellation);
        var log = new TestInvocationLog(_connection.Logger, records);
        var context = new ActionContext(invocation.Id, log, new TestInvocation.Reporter(invocation), _services, cancellation.Token);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _invocations.Add(invocation);
        }

        invocation.Completion = Task.Run(() => RunAsync(invocation, action, values, context, cancellation), CancellationToken.None);
        return invocation;
    }

    /// <summary>Runs the action and records how it ended, as the server's invocation manager does; never throws.</summary>
    private async Task RunAsync(TestInvocation invocation, ActionDefinition action, Dictionary<string, object?> values, ActionContext context, CancellationTokenSource cancellation)
    {
        var records = ((TestInvocationLog)context.Logger).Records;
        try
        {
            var result = await ActionInvoker.InvokeAsync(Thing, action, values, context).ConfigureAwait(false);
            var json = result is Blob || action.OutputType is not { } type ? null : JsonSerializer.SerializeToNode(result, type, LabThingsJson.Options);
            invocation.Complete(result, json);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            records.Add(new TestLogRecord(LogLevel.Information, "The invocation was cancelled.", null));
            invocation.End(TestInvocationStatus.Cancelled, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            records.Add(new TestLogRecord(LogLevel.Error, ex.Message, ex));
            invocation.End(TestInvocationStatus.Failed, ex);
        }
        finally
        {
            lock (_gate)
            {
                _invocations.Remove(invocation);
            }

        }
    }
}
