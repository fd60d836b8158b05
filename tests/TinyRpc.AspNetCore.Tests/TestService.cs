using TinyRpc.Dispatch;
using TinyRpc.Exceptions;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>The methods the HTTP and WebSocket tests call.</summary>
[RpcService]
public sealed partial class TestService
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _notifications;

    private readonly TaskCompletionSource _notified = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Notifications => Volatile.Read(ref _notifications);

    /// <summary>Completes at the first notification: a client has no other sign that one has run.</summary>
    public Task Notified => _notified.Task;

    [Public("add")]
    public int Add(int a, int b) => a + b;

    [Public("reverse_string")]
    public string ReverseString(string s)
    {
        char[] chars = s.ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }

    /// <summary>Returns <paramref name="value"/> after <paramref name="delayMs"/>, so that replies overtake each other.</summary>
    [Public("echo_later")]
    public async Task<int> EchoLaterAsync(int value, int delayMs, CancellationToken cancellationToken)
    {
        await Task.Delay(delayMs, cancellationToken);
        return value;
    }

    [Public("sleep")]
    public async Task<bool> SleepAsync(int milliseconds, CancellationToken cancellationToken)
    {
        await Task.Delay(milliseconds, cancellationToken);
        return true;
    }

    /// <summary>Completes when <see cref="WaitForCancellationAsync"/> has started.</summary>
    public TaskCompletionSource WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the token of <see cref="WaitForCancellationAsync"/> has been cancelled.</summary>
    public TaskCompletionSource WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits (30 s at most) for its token to be cancelled, and reports when it starts and when the token fires.</summary>
    [Public("wait_for_cancellation")]
    public async Task<bool> WaitForCancellationAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration registration = cancellationToken.Register(() => WaitCancelled.TrySetResult());
        WaitStarted.TrySetResult();
        await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
        return true;
    }

    private int _gateCalls;

    /// <summary>How many calls to wait_gate have started.</summary>
    public int GateCalls => Volatile.Read(ref _gateCalls);

    /// <summary>Completed when a call to wait_gate has started.</summary>
    public TaskCompletionSource GateEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes only once <see cref="OpenGate"/> has been called.</summary>
    [Public("wait_gate")]
    public async Task<string> WaitGateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _gateCalls);
        GateEntered.TrySetResult();
        await _gate.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return "passed";
    }

    [Public("open_gate")]
    public string OpenGate()
    {
        _gate.TrySetResult();
        return "opened";
    }

    [Public("notify")]
    public void Notify()
    {
        Interlocked.Increment(ref _notifications);
        _notified.TrySetResult();
    }

    [Public("fail")]
    public void Fail() => throw new RpcException(99, "Ah, that's cheating", "data");

    public static RpcDispatcher CreateDispatcher(TestService service)
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterInstance(service);
        dispatcher.RegisterInstance(new CommentService(), "comments.");
        return dispatcher;
    }
}

/// <summary>Parameter names as a Python peer writes them: the snake_case policy applies to them too.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
public sealed partial class CommentService
{
    [Public("get_user_comment")]
    public string GetComment(int commentId, string userName = "anon") => $"{userName}: comment {commentId}";

    [Public]
    public string Ping() => "pong";
}
