using LabThings.Model;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Actions;

/// <summary>
/// The server-wide lock (labthings-fastapi's global lock), when <see cref="LabThingsOptions.GlobalLock"/> turns it on:
/// one action invocation or property write at a time across all Things, except members that opt out
/// (<see cref="AffordanceAttribute.GlobalLock"/>). A running action holds it until it ends.
/// </summary>
internal sealed class GlobalLock(IOptions<LabThingsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile string? _holder;

    public GlobalLockMode Mode { get; } = options.Value.GlobalLock;

    /// <summary>How long a property write waits for the lock in <see cref="GlobalLockMode.Wait"/> mode.</summary>
    public TimeSpan WriteTimeout { get; } = options.Value.SyncActionTimeout;

    /// <summary>Whether changing or invoking <paramref name="affordance"/> takes the lock.</summary>
    public bool Applies(AffordanceDefinition affordance) => Mode != GlobalLockMode.Off && affordance.UsesGlobalLock;

    /// <summary>Why a request was refused: who holds the lock.</summary>
    public string Busy => $"The server-wide lock is held by {_holder ?? "another operation"}; try again when it has finished.";

    /// <summary>Takes the lock if it is free.</summary>
    public bool TryEnter(string holder)
    {
        if (!_gate.Wait(0))
        {
            return false;
        }

        _holder = holder;
        return true;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the lock.</summary>
    public async Task<bool> EnterAsync(string holder, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _holder = holder;
        return true;
    }

    /// <summary>Takes the lock for a property write: at once in <see cref="GlobalLockMode.Refuse"/> mode, else waiting up to <see cref="WriteTimeout"/>.</summary>
    public Task<bool> EnterForWriteAsync(string holder, CancellationToken cancellationToken)
        => Mode == GlobalLockMode.Refuse ? Task.FromResult(TryEnter(holder)) : EnterAsync(holder, WriteTimeout, cancellationToken);

    public void Exit()
    {
        _holder = null;
        _gate.Release();
    }

    public void Dispose() => _gate.Dispose();
}
