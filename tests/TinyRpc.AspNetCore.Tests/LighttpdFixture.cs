using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>
/// lighttpd with mod_cgi on 127.0.0.1 and a free port, from a temporary folder, running the demo server as the CGI
/// programs <c>/cgi-bin/rpc.cgi</c> (JSON-RPC) and <c>/cgi-bin/rpc-msgpack.cgi</c> (MSGPACK-RPC) (shell wrapper: a framework-dependent program needs <c>dotnet</c> to start it).
/// </summary>
public sealed class LighttpdFixture : IAsyncLifetime
{
    /// <summary>The CGI program's own body limit (its 413); lighttpd's limit is far above it.</summary>
    public const int MaxContentLength = 4096;

    private static readonly TimeSpan StartupLimit = TimeSpan.FromSeconds(15);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tinyrpc-lighttpd-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    /// <summary>The demo server speaking JSON-RPC.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The demo server speaking MSGPACK-RPC.</summary>
    public Uri MessagePackEndpoint { get; private set; } = null!;

    public string ErrorLog => Path.Combine(_directory, "error.log");

    public async ValueTask InitializeAsync()
    {
        string lighttpd = ChildProcess.FindOnPath("lighttpd", "/usr/sbin", "/usr/local/sbin")
            ?? throw new InvalidOperationException("lighttpd is not installed: the CGI tests need it (apt-get install lighttpd; .ci/run installs it).");

        string www = Path.Combine(_directory, "www");
        string cgiBin = Path.Combine(www, "cgi-bin");
        Directory.CreateDirectory(cgiBin);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The CGI tests run lighttpd, which needs Linux.");
        }

        foreach ((string name, string protocol) in new[] { ("rpc.cgi", "jsonrpc"), ("rpc-msgpack.cgi", "msgpack") })
        {
            string script = Path.Combine(cgiBin, name);
            await File.WriteAllTextAsync(script,
                $"#!/bin/sh\nexec '{ChildProcess.DotnetPath}' '{ChildProcess.DemoServerPath}' --transport cgi --protocol {protocol} --max-size {MaxContentLength}\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        Exception? last = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            int port = FreePort();
            string config = Path.Combine(_directory, "lighttpd.conf");
            await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
                server.document-root = "{{www}}"
                server.bind = "127.0.0.1"
                server.port = {{port}}
                server.pid-file = "{{_directory}}/lighttpd.pid"
                server.errorlog = "{{ErrorLog}}"
                server.modules = ( "mod_cgi" )
                server.max-request-size = 1024
                $HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ( ".cgi" => "" ) }

                """));
            try
            {
                _process = await StartAsync(lighttpd, config, port);
                Endpoint = new Uri($"http://127.0.0.1:{port}/cgi-bin/rpc.cgi");
                MessagePackEndpoint = new Uri($"http://127.0.0.1:{port}/cgi-bin/rpc-msgpack.cgi");
                return;
            }
            catch (InvalidOperationException e)
            {
                last = e;
            }
        }

        throw new InvalidOperationException("lighttpd did not start: " + last?.Message, last);
    }

    private async Task<Process> StartAsync(string lighttpd, string config, int port)
    {
        var start = new ProcessStartInfo(lighttpd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-D");
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(config);
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {lighttpd}.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(StartupLimit);
        while (!limit.IsCancellationRequested)
        {
            if (process.HasExited)
            {
                string log = File.Exists(ErrorLog) ? await File.ReadAllTextAsync(ErrorLog) : "";
                process.Dispose();
                throw new InvalidOperationException($"lighttpd exited with {process.ExitCode}: {await stderr} {log}".Trim());
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, limit.Token);
                return process;
            }
            catch (SocketException)
            {
                await Task.Delay(50, CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        process.Kill(entireProcessTree: true);
        process.Dispose();
        throw new InvalidOperationException($"lighttpd did not listen on 127.0.0.1:{port} within {StartupLimit.TotalSeconds} s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
            }

            _process.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
