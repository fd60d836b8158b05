using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TinyRpc.AspNetCore.Tests.Explorer;

/// <summary>
/// Debian's headless Chromium in a temporary profile, driven over the Chrome DevTools Protocol: one page, whose
/// script errors, console errors and policy violations are collected. Disposing kills the browser's whole process
/// tree and removes the profile, whatever state the test left it in.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Generous: the machine may be running several builds, and a wait only lasts this long when something is broken.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly StringBuilder _stderr = new();
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly CancellationTokenSource _closing = new();
    private Task _reader = Task.CompletedTask;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _loads = new(StringComparer.Ordinal);
    private int _nextId;

    private HeadlessChromium(Process process, DirectoryInfo profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The browser's main process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The temporary profile folder, which every process of this browser names on its command line.</summary>
    public string ProfilePath => _profile.FullName;

    /// <summary>Script exceptions, console errors and browser log errors (a Content-Security-Policy violation among them) seen so far.</summary>
    public IReadOnlyCollection<string> Problems => _problems.ToArray();

    /// <summary>
    /// Chromium's path (<c>TINYRPC_CHROMIUM</c>, or <c>chromium</c> on PATH). When it is missing the test is skipped,
    /// except under CI (<c>CI=true</c>), where it fails: CI installs Chromium, so its absence is a broken machine.
    /// </summary>
    public static string Locate()
    {
        string? path = Environment.GetEnvironmentVariable("TINYRPC_CHROMIUM") is { Length: > 0 } configured
            ? configured
            : ChildProcess.FindOnPath("chromium") ?? ChildProcess.FindOnPath("chromium-browser");
        if (path is not null && File.Exists(path))
        {
            return path;
        }

        const string Missing = "Chromium is not installed (apt-get install chromium; .ci/run installs it), or set TINYRPC_CHROMIUM to its path.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(Missing);
        }

        Assert.Skip(Missing);
        return null!;
    }

    public static async Task<HeadlessChromium> StartAsync()
    {
        string executable = Locate();
        DirectoryInfo profile = Directory.CreateTempSubdirectory("tinyrpc-chromium-");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "--headless", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", "--user-data-dir=" + profile.FullName,
            "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--disable-crash-reporter", "--disable-breakpad",
            "--disable-dev-shm-usage", "--window-size=1280,1600", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (Environment.IsPrivilegedProcess)
        {
            // Chromium refuses to run as root with its sandbox on.
            start.ArgumentList.Add("--no-sandbox");
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        }
        catch
        {
            profile.Delete(recursive: true);
            throw;
        }

        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private async Task ConnectAsync()
    {
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                if (e.Data is not null && _stderr.Length < 64 * 1024)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        // Chromium writes the port it chose, and the browser's socket path, once it listens.
        string portFile = Path.Combine(_profile.FullName, "DevToolsActivePort");
        var deadline = Stopwatch.StartNew();
        string[] lines = [];
        while (lines.Length < 2 || lines[1].Length == 0)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Chromium exited with status {_process.ExitCode} before listening:\n{StandardError}");
            }

            if (deadline.Elapsed > Limit)
            {
                throw new TimeoutException($"Chromium did not write {portFile} within {Limit.TotalSeconds} s:\n{StandardError}");
            }

            await Task.Delay(50);
            lines = File.Exists(portFile) ? (await File.ReadAllTextAsync(portFile)).Split('\n', StringSplitOptions.TrimEntries) : [];
        }

        int port = int.Parse(lines[0], CultureInfo.InvariantCulture);
        using var http = new HttpClient { Timeout = Limit };
        using HttpResponseMessage created = await http.PutAsync(new Uri($"http://127.0.0.1:{port}/json/new?about:blank"), null);
        created.EnsureSuccessStatusCode();
        using JsonDocument target = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var pageSocket = new Uri(target.RootElement.GetProperty("webSocketDebuggerUrl").GetString()!);

        using (var timeout = new CancellationTokenSource(Limit))
        {
            await _socket.ConnectAsync(pageSocket, timeout.Token);
        }

        _reader = Task.Run(ReadAsync);
        await SendAsync("Page.enable");
        await SendAsync("Runtime.enable");
        await SendAsync("Log.enable");
        await SendAsync("Page.setLifecycleEventsEnabled", new JsonObject { ["enabled"] = true });
    }

    private string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Sends one DevTools command and returns its result; a protocol error is thrown.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null, TimeSpan? limit = null)
    {
        TimeSpan answerLimit = limit ?? Limit;
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        using (var timeout = new CancellationTokenSource(Limit))
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        }

        try
        {
            return await reply.Task.WaitAsync(answerLimit);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Chromium did not answer {method} within {answerLimit.TotalSeconds} s.", e);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                WebSocketReceiveResult received = await _socket.ReceiveAsync(buffer, _closing.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                Dispatch(message.ToArray());
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            foreach (TaskCompletionSource<JsonElement> pending in _pending.Values)
            {
                pending.TrySetException(new InvalidOperationException($"The DevTools connection closed:\n{StandardError}"));
            }
        }
    }

    private void Dispatch(byte[] message)
    {
        using JsonDocument document = JsonDocument.Parse(message);
        JsonElement root = document.RootElement;
        if (root.TryGetProperty("id", out JsonElement id))
        {
            if (_pending.TryGetValue(id.GetInt32(), out TaskCompletionSource<JsonElement>? reply))
            {
                if (root.TryGetProperty("error", out JsonElement error))
                {
                    reply.TrySetException(new InvalidOperationException("DevTools error: " + error.GetRawText()));
                }
                else
                {
                    reply.TrySetResult(root.GetProperty("result").Clone());
                }
            }

            return;
        }

        if (!root.TryGetProperty("method", out JsonElement name) || !root.TryGetProperty("params", out JsonElement parameters))
        {
            return;
        }

        string? method = name.GetString();
        switch (method)
        {
            case "Page.lifecycleEvent" when parameters.GetProperty("name").GetString() == "load":
                Loaded(parameters.GetProperty("loaderId").GetString()!).TrySetResult();
                break;
            case "Runtime.exceptionThrown":
                _problems.Enqueue("exception: " + parameters.GetProperty("exceptionDetails").GetRawText());
                break;
            case "Runtime.consoleAPICalled" when parameters.GetProperty("type").GetString() is "error" or "assert":
                _problems.Enqueue("console: " + parameters.GetProperty("args").GetRawText());
                break;
            case "Log.entryAdded" when parameters.GetProperty("entry").GetProperty("level").GetString() == "error":
                _problems.Enqueue("log: " + parameters.GetProperty("entry").GetRawText());
                break;
        }
    }

    /// <summary>The load of one navigation, whichever of its event and its command's answer comes first.</summary>
    private TaskCompletionSource Loaded(string loaderId) => _loads.GetOrAdd(loaderId, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Loads <paramref name="url"/> and waits for the load event of that navigation (not of an earlier page).</summary>
    public async Task NavigateAsync(Uri url)
    {
        JsonElement result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        if (result.TryGetProperty("errorText", out JsonElement error))
        {
            throw new InvalidOperationException($"Chromium could not load {url}: {error.GetString()}");
        }

        await Loaded(result.GetProperty("loaderId").GetString()!).Task.WaitAsync(Limit);
    }

    /// <summary>Evaluates a script expression in the page (awaiting a promise it returns) and returns its value.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        // Longer than the page's own limit in WaitForAsync, so that a wait that fails says what it waited for.
        JsonElement result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        }, Limit * 2);
        if (result.TryGetProperty("exceptionDetails", out JsonElement exception))
        {
            throw new InvalidOperationException($"The page threw on {expression}: {exception.GetRawText()}");
        }

        JsonElement value = result.GetProperty("result");
        return value.TryGetProperty("value", out JsonElement v) ? v.Clone() : default;
    }

    public async Task<string> TextAsync(string selector)
    {
        JsonElement value = await EvaluateAsync($"(document.querySelector({Js(selector)}) || {{}}).textContent ?? null");
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new InvalidOperationException($"Nothing in the page matches {selector}.");
    }

    /// <summary>
    /// Waits until the script <paramref name="condition"/> is truthy: the page re-checks it at every change of the DOM
    /// (a MutationObserver), at every move of the focus (which changes no node), and every 100 ms for anything else;
    /// it gives up after the limit, and the error then carries the page's text.
    /// </summary>
    public async Task WaitForAsync(string condition)
    {
        string script = $$"""
            new Promise((resolve) => {
              const check = () => { try { return Boolean({{condition}}); } catch (e) { return false; } };
              if (check()) { resolve(true); return; }
              const done = (met) => { observer.disconnect(); document.removeEventListener("focusin", onEvent, true); clearInterval(poll); clearTimeout(timer); resolve(met); };
              const onEvent = () => { if (check()) done(true); };
              const observer = new MutationObserver(onEvent);
              observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
              document.addEventListener("focusin", onEvent, true);
              const poll = setInterval(onEvent, 100);
              const timer = setTimeout(() => done(check()), {{(int)Limit.TotalMilliseconds}});
            })
            """;
        JsonElement met = await EvaluateAsync(script);
        if (met.ValueKind != JsonValueKind.True)
        {
            string page = (await EvaluateAsync("document.body ? document.body.innerText : ''")).GetString() ?? "";
            throw new TimeoutException($"Within {Limit.TotalSeconds} s, {condition} never held. Page text:\n{page}\nProblems:\n{string.Join('\n', Problems)}");
        }
    }

    /// <summary>Puts the keyboard focus on the element, as a Tab would.</summary>
    public async Task FocusAsync(string selector)
    {
        JsonElement focused = await EvaluateAsync($$"""
            (() => { const e = document.querySelector({{Js(selector)}}); if (!e) return false; e.scrollIntoView({ block: "center" }); e.focus(); return document.activeElement === e; })()
            """);
        Assert.True(focused.ValueKind == JsonValueKind.True, $"{selector} cannot take the focus.");
    }

    /// <summary>Focuses a text field, selects what it holds and types <paramref name="text"/> over it (an empty text: Backspace).</summary>
    public async Task FillAsync(string selector, string text)
    {
        await FocusAsync(selector);
        await EvaluateAsync("document.activeElement.select()");
        if (text.Length > 0)
        {
            await TypeAsync(text);
            return;
        }

        foreach (string type in new[] { "rawKeyDown", "keyUp" })
        {
            await SendAsync("Input.dispatchKeyEvent", new JsonObject
            {
                ["type"] = type,
                ["key"] = "Backspace",
                ["code"] = "Backspace",
                ["windowsVirtualKeyCode"] = 8,
                ["nativeVirtualKeyCode"] = 8,
            });
        }
    }

    /// <summary>Types into the focused element, as a keyboard (IME) would.</summary>
    public Task TypeAsync(string text) => SendAsync("Input.insertText", new JsonObject { ["text"] = text });

    public async Task PressEnterAsync()
    {
        await SendAsync("Input.dispatchKeyEvent", new JsonObject
        {
            ["type"] = "keyDown",
            ["key"] = "Enter",
            ["code"] = "Enter",
            ["windowsVirtualKeyCode"] = 13,
            ["nativeVirtualKeyCode"] = 13,
            ["text"] = "\r",
        });
        await SendAsync("Input.dispatchKeyEvent", new JsonObject
        {
            ["type"] = "keyUp",
            ["key"] = "Enter",
            ["code"] = "Enter",
            ["windowsVirtualKeyCode"] = 13,
            ["nativeVirtualKeyCode"] = 13,
        });
    }

    /// <summary>Clicks the middle of the element with the mouse.</summary>
    public async Task ClickAsync(string selector)
    {
        JsonElement box = await EvaluateAsync($$"""
            (() => { const e = document.querySelector({{Js(selector)}}); if (!e) return null; e.scrollIntoView({ block: "center" });
                     const r = e.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()
            """);
        Assert.True(box.ValueKind == JsonValueKind.Object, $"Nothing in the page matches {selector}.");
        double x = box.GetProperty("x").GetDouble(), y = box.GetProperty("y").GetDouble();
        foreach (string type in new[] { "mouseMoved", "mousePressed", "mouseReleased" })
        {
            await SendAsync("Input.dispatchMouseEvent", new JsonObject
            {
                ["type"] = type,
                ["x"] = x,
                ["y"] = y,
                ["button"] = type == "mouseMoved" ? "none" : "left",
                ["clickCount"] = type == "mouseMoved" ? 0 : 1,
            });
        }
    }

    /// <summary>Saves a PNG of the whole page.</summary>
    public async Task ScreenshotAsync(string path)
    {
        JsonElement shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot.GetProperty("data").GetString()!));
    }

    /// <summary>A string as a JavaScript literal.</summary>
    public static string Js(string value) => JsonSerializer.Serialize(value);

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }

        _socket.Dispose();
        await _reader.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
        }
        finally
        {
            _process.Dispose();
            _closing.Dispose();
            DeleteProfile();
        }
    }

    /// <summary>Chromium's helpers may still be closing files in the profile a moment after the kill.</summary>
    private void DeleteProfile()
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                _profile.Refresh();
                if (_profile.Exists)
                {
                    _profile.Delete(recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
            }
        }
    }
}
