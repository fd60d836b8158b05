using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Client;

/// <summary>
/// The <see cref="IProgress{T}"/> a method gets for its caller's progress token: each report is sent as a
/// <c>$/progress</c> notification, in the order reported. When the method ends, the reports made so far are sent
/// before its reply, and later ones are dropped.
/// </summary>
internal sealed class RemoteProgress<T>(RpcConnection? connection, long? token) : IProgress<T>, IProgressOwner
{
    private readonly Lock _gate = new();
    private Task _sent = Task.CompletedTask;
    private bool _ended;

    public void Report(T value)
    {
        if (connection is null || token is not long id)
        {
            return; // the caller asked for no progress
        }

        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            // Written now, so that a value changed after Report is sent as it was reported.
            RpcRequest notification = connection.Protocol.CreateRequestBuilder(RpcProtocol.ProgressMethod, oneWay: true).Add(id).Add(value).Build();
            _sent = SendAfterAsync(_sent, connection, notification);
        }
    }

    public Task EndAsync()
    {
        lock (_gate)
        {
            _ended = true;
            return _sent;
        }
    }

    private static async Task SendAfterAsync(Task previous, RpcConnection connection, RpcRequest notification)
    {
        await previous.ConfigureAwait(false);
        try
        {
            await connection.SendAsync(notification, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The connection is going: so is the caller waiting for the reports.
        }
    }
}

/// <summary>A progress whose reports must be sent before the reply of the method that got it.</summary>
internal interface IProgressOwner
{
    Task EndAsync();
}

/// <summary>The caller's <see cref="IProgress{T}"/> of one outgoing call, registered under its token.</summary>
internal sealed class ProgressRegistration<T>(RpcConnection connection, IProgress<T> progress) : IProgressSink, IProgressTracking
{
    private long _cutoff = long.MaxValue;
    private RpcId _call;

    public long Token { get; private set; }

    public RpcConnection Connection => connection;

    /// <summary>How many notifications came before the reply; -1 until it has come.</summary>
    public long NotificationsBeforeReply => Volatile.Read(ref _cutoff) is var cutoff && cutoff == long.MaxValue ? -1 : cutoff;

    public void Register() => Token = connection.Streams.AddProgress(this);

    public void Bind(RpcId call)
    {
        _call = call;
        connection.Streams.BindProgress(call, this);
    }

    public void Unregister() => connection.Streams.RemoveProgress(Token, _call);

    public void ReplyAfter(long notificationsBefore) => Volatile.Write(ref _cutoff, notificationsBefore);

    public void Report(RpcRequest notification)
    {
        long place = connection.StartingNotification;
        if (place > Volatile.Read(ref _cutoff))
        {
            return; // it came after the reply
        }

        T value;
        try
        {
            RpcArguments args = notification.Arguments;
            if (!args.TryGet(1, "value", args.IsNamed, out value))
            {
                return;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return; // a report that cannot be read as T is dropped, as one for no call is
        }

        progress.Report(value);
    }
}

/// <summary>The progress of one outgoing call, as the generated proxy holds it until the call ends.</summary>
internal interface IProgressTracking
{
    RpcConnection Connection { get; }

    /// <summary>How many notifications came before the call's reply; -1 until it has come.</summary>
    long NotificationsBeforeReply { get; }

    /// <summary>Ties the progress to the call that carries it (before it is sent).</summary>
    void Bind(RpcId call);

    void Unregister();
}
