using TinyRpc.Exceptions;

namespace TinyRpc.AspNetCore.Tests.Explorer;

/// <summary>What is sent, and to whom.</summary>
/// <param name="Recipient">Who receives it.</param>
/// <param name="Weight">In kilograms.</param>
public sealed record Parcel(string Recipient, int Weight);

/// <summary>The desk's refusal: its code and message are fixed by the class, so the generated document lists them.</summary>
public sealed class TooHeavyException() : RpcException(2001, "Too heavy");

/// <summary>The desk's log, a contract with a method that answers nothing.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
public interface IShippingLog
{
    /// <summary>Writes a line in the desk's log; nothing is answered.</summary>
    /// <param name="line">The line to write.</param>
    [Public, OneWay]
    void Note(string line);
}

/// <summary>
/// A shipping desk, for the explorer reading a generated document: a record parameter, an optional parameter with a
/// default, nullable ones, a <c>params</c> array, a fixed RPC error, a one-way method and XML documentation.
/// </summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
public sealed partial class ShippingDesk : IShippingLog
{
    private readonly TaskCompletionSource<string> _noted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The first line written with <see cref="Note"/>.</summary>
    public Task<string> Noted => _noted.Task;

    /// <summary>Sends a parcel and answers its label.</summary>
    /// <param name="parcel">What to send.</param>
    /// <param name="priority">1 is the slowest and cheapest.</param>
    /// <returns>The label to stick on the parcel.</returns>
    /// <param name="returnTo">Where it goes if it cannot be delivered.</param>
    /// <exception cref="TooHeavyException">The parcel weighs more than 30 kg.</exception>
    [Public]
    public string Ship(Parcel parcel, int priority = 1, Parcel? returnTo = null)
    {
        if (parcel.Weight > 30)
        {
            throw new TooHeavyException();
        }

        return $"{parcel.Recipient}, {parcel.Weight} kg, priority {priority}" + (returnTo is null ? "" : $", back to {returnTo.Recipient}");
    }

    /// <summary>Adds up the weights of several parcels.</summary>
    /// <param name="first">The first parcel's weight.</param>
    /// <param name="more">The others' weights.</param>
    [Public]
    public int TotalWeight(int first, params int[] more) => first + more.Sum();

    /// <summary>Writes an address label.</summary>
    /// <param name="recipient">Who receives it.</param>
    /// <param name="note">Printed under the name, if given.</param>
    [Public]
    public string Label(string recipient, string? note = null) => note is null ? recipient : $"{recipient} ({note})";

    /// <inheritdoc/>
    public void Note(string line) => _noted.TrySetResult(line);
}
