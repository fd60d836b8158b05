using System.Diagnostics;
using System.Net.Sockets;
using TinyRpc.RabbitMQ.Tests;

[assembly: AssemblyFixture(typeof(RabbitMQBroker))]

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// The RabbitMQ node on 127.0.0.1:5672: used if it is listening, otherwise started as <c>.ci/rabbitmq.sh</c>
/// starts it (and shut down again afterwards). Fails every test with a clear message if it cannot be had.
/// </summary>
public sealed class RabbitMQBroker : IAsyncLifetime
{
    public const string Host = "127.0.0.1";
    public const int Port = 5672;
    public const string NodeName = "rabbit@localhost";
    private bool _startedHere;

    public async ValueTask InitializeAsync()
    {
        if (await IsListeningAsync(Port))
        {
            return;
        }

        string? server = FindProgram("rabbitmq-server");
        if (server is null || FindProgram("rabbitmqctl") is null)
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not listening on {Host}:{Port} and rabbitmq-server is not installed. " +
                "Install Debian's rabbitmq-server and start it with .ci/rabbitmq.sh (see SERVICES.md).");
        }

        (int code, string output) = await RunAsync(server, ["-detached"], TimeSpan.FromSeconds(60), captureOutput: false);
        if (code != 0)
        {
            throw new InvalidOperationException($"rabbitmq-server -detached failed with exit code {code}:\n{output}");
        }

        _startedHere = true;
        await WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
    }

    public async ValueTask DisposeAsync()
    {
        if (_startedHere)
        {
            await RunCtlAsync("shutdown");
        }
    }

    /// <summary>Runs <c>rabbitmqctl -n rabbit@localhost ARGS</c> with a bounded wait.</summary>
    public static Task<(int Code, string Output)> RunCtlAsync(params string[] args)
        => RunAsync(FindProgram("rabbitmqctl") ?? "rabbitmqctl", ["-n", NodeName, .. args], TimeSpan.FromSeconds(90));

    /// <summary>
    /// Closes, from the broker's side (<c>rabbitmqctl close_connection</c>), the one connection whose client-given name
    /// contains <paramref name="nameFragment"/>: what the client sees when it loses the broker, for that connection
    /// only, so tests running alongside are not disturbed.
    /// </summary>
    public static async Task CloseConnectionAsync(string nameFragment, string reason = "closed by a test")
    {
        (int code, string output) = await RunCtlAsync("list_connections", "pid", "client_properties", "--no-table-headers", "--quiet");
        Assert.True(code == 0, "rabbitmqctl list_connections failed: " + output);
        // client_properties carries the connection name the client gave.
        string[] pids = output.Split('\n').Where(line => line.Contains(nameFragment, StringComparison.Ordinal)).Select(line => line.Split('\t')[0].Trim()).ToArray();
        Assert.True(pids.Length == 1, $"Not exactly one connection named '{nameFragment}' in:\n{output}");
        (code, output) = await RunCtlAsync("close_connection", pids[0], reason);
        Assert.True(code == 0, "rabbitmqctl close_connection failed: " + output);
    }

    /// <summary>Waits for the port, then for the node to finish booting.</summary>
    public static async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!await IsListeningAsync(Port))
        {
            if (clock.Elapsed > limit)
            {
                throw new InvalidOperationException($"RabbitMQ did not open {Host}:{Port} within {limit.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }

        (int code, string output) = await RunCtlAsync("await_startup", "--timeout", "60");
        if (code != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl await_startup failed with exit code {code}:\n{output}");
        }
    }

    public static async Task<bool> IsListeningAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(Host, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string? FindProgram(string name)
        => new[] { "/usr/sbin", "/usr/bin", "/usr/lib/rabbitmq/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static async Task<(int Code, string Output)> RunAsync(string program, string[] args, TimeSpan limit, bool captureOutput = true)
    {
        var info = new ProcessStartInfo(program)
        {
            // The detached node inherits the launcher's output handles: never wait for their end.
            RedirectStandardOutput = captureOutput,
            RedirectStandardError = captureOutput,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The settings of .ci/rabbitmq.sh: a short node name that resolves, everything on loopback.
        info.Environment["RABBITMQ_NODENAME"] = NodeName;
        info.Environment["RABBITMQ_NODE_IP_ADDRESS"] = Host;
        info.Environment["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["RABBITMQ_DIST_PORT"] = "25672";
        info.Environment["ERL_EPMD_ADDRESS"] = Host;
        info.Environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start.");
        Task<string> stdout = captureOutput ? process.StandardOutput.ReadToEndAsync() : Task.FromResult("");
        Task<string> stderr = captureOutput ? process.StandardError.ReadToEndAsync() : Task.FromResult("");
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} {string.Join(' ', args)} did not finish within {limit.TotalSeconds} s.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
