using LabThings.Model;
using LabThings.Server.Hosting;

namespace LabThings.Server.Actions;

/// <summary>
/// Counts the invocations that have started but not finished (pending or running), per action and on the server,
/// and refuses a new one past either limit: what a client may make the server hold in memory is bounded.
/// </summary>
internal sealed class UnfinishedInvocations(int serverLimit, int actionLimit)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Thing, string Action), int> _byAction = [];
    private int _total;

    /// <summary>Counts one more unfinished invocation of <paramref name="action"/>.</summary>
    /// <exception cref="TooManyInvocationsException">A limit is reached; nothing is counted.</exception>
    public void Reserve(HostedThing thing, ActionDefinition action)
    {
        var key = (thing.Name, action.Name);
        lock (_gate)
        {
            var ofAction = _byAction.GetValueOrDefault(key);
            if (ofAction >= actionLimit)
            {
                throw new TooManyInvocationsException($"'{action.Name}' of '{thing.Name}' already has {ofAction} unfinished invocations, its limit; try again when some have finished.");
            }

            if (_total >= serverLimit)
            {
                throw new TooManyInvocationsException($"The server already has {_total} unfinished invocations, its limit; try again when some have finished.");
            }

            _byAction[key] = ofAction + 1;
            _total++;
        }
    }

    /// <summary>Counts one invocation of <paramref name="action"/> as finished.</summary>
    public void Release(HostedThing thing, ActionDefinition action)
    {
        var key = (thing.Name, action.Name);
        lock (_gate)
        {
            var left = _byAction.GetValueOrDefault(key) - 1;
            if (left > 0)
            {
                _byAction[key] = left;
            }
            else
            {
                _byAction.Remove(key);
            }

            _total--;
        }
    }
}
