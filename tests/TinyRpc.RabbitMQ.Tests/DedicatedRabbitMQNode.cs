using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TinyRpc.RabbitMQ.Tests;

/// <summary>
/// A RabbitMQ node of a test's own, started as <c>.ci/rabbitmq.sh</c> starts the shared one but under another node
/// name, on free ports, with its database, logs and Erlang cookie in a temporary folder: restarting it disturbs no
/// other test. Shut down and deleted on dispose.
/// </summary>
internal sealed class DedicatedRabbitMQNode : IAsyncDisposable
{
    private const string Bin = "/usr/lib/rabbitmq/bin";
    private readonly string _home;

    private DedicatedRabbitMQNode(string home, string nodeName, int port, int distPort)
    {
        _home = home;
        NodeName = nodeName;
        Port = port;
        DistPort = distPort;
    }

    public string NodeName { get; }

    public int Port { get; }

    public int DistPort { get; }

    public static async Task<DedicatedRabbitMQNode> StartAsync()
    {
        // The Debian wrapper in /usr/sbin switches to the rabbitmq user and its home; the scripts behind it run as is.
        Assert.True(File.Exists(Path.Combine(Bin, "rabbitmq-server")), $"rabbitmq-server is not installed in {Bin} (Debian's rabbitmq-server package).");
        string home = Directory.CreateTempSubdirectory("tinyrpc-rabbitmq-").FullName;
        string name = "tinyrpc" + Guid.NewGuid().ToString("N")[..8];
        var node = new DedicatedRabbitMQNode(home, name + "@localhost", FreePort(), FreePort());
        await File.WriteAllTextAsync(Path.Combine(home, "enabled_plugins"), "[].");
        await File.WriteAllTextAsync(Path.Combine(home, "rabbitmq-env.conf"), "");
        try
        {
            (int code, string output) = await node.RunAsync("rabbitmq-server", ["-detached"], captureOutput: false);
            Assert.True(code == 0, $"rabbitmq-server -detached failed with exit code {code}:\n{output}");
            await node.WaitUntilReadyAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the RabbitMQ application (the node stays up): every client connection is closed, the port closes.</summary>
    public async Task StopAppAsync()
    {
        (int code, string output) = await CtlAsync("stop_app");
        Assert.True(code == 0, "rabbitmqctl stop_app failed: " + output);
    }

    public async Task StartAppAsync()
    {
        (int code, string output) = await CtlAsync("start_app");
        Assert.True(code == 0, "rabbitmqctl start_app failed: " + output);
        await WaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        (int code, _) = await CtlAsync("shutdown");
        if (code != 0 && File.Exists(Path.Combine(_home, "pid")) && int.TryParse(File.ReadAllText(Path.Combine(_home, "pid")).Trim(), out int pid))
        {
            try
            {
                using Process beam = Process.GetProcessById(pid);
                beam.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }

        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (!await RabbitMQBroker.IsListeningAsync(Port))
        {
            Assert.True(clock.Elapsed < TestService.Limit, $"The dedicated RabbitMQ node did not open port {Port} within {TestService.Limit.TotalSeconds} s.");
            await Task.Delay(100);
        }

        (int code, string output) = await CtlAsync("await_startup", "--timeout", "60");
        Assert.True(code == 0, "rabbitmqctl await_startup failed: " + output);
    }

    private Task<(int Code, string Output)> CtlAsync(params string[] args) => RunAsync("rabbitmqctl", ["-n", NodeName, .. args]);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<(int Code, string Output)> RunAsync(string program, string[] args, bool captureOutput = true)
    {
        var info = new ProcessStartInfo(Path.Combine(Bin, program))
        {
            // The detached node inherits the launcher's output handles: never wait for their end.
            RedirectStandardOutput = captureOutput,
            RedirectStandardError = captureOutput,
            UseShellExecute = false,
            WorkingDirectory = _home,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // HOME holds the node's Erlang cookie, which rabbitmqctl reads from the same place.
        info.Environment["HOME"] = _home;
        info.Environment["RABBITMQ_NODENAME"] = NodeName;
        info.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        info.Environment["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        info.Environment["RABBITMQ_DIST_PORT"] = DistPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        info.Environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        info.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_home, "mnesia");
        info.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(_home, "log");
        info.Environment["RABBITMQ_PID_FILE"] = Path.Combine(_home, "pid");
        info.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_home, "enabled_plugins");
        info.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_home, "rabbitmq");
        info.Environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_home, "advanced.config");
        info.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_home, "rabbitmq-env.conf");
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start.");
        Task<string> stdout = captureOutput ? process.StandardOutput.ReadToEndAsync() : Task.FromResult("");
        Task<string> stderr = captureOutput ? process.StandardError.ReadToEndAsync() : Task.FromResult("");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} {string.Join(' ', args)} did not finish within 90 s.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
