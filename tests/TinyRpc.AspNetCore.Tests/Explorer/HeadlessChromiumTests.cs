using System.Diagnostics;

namespace TinyRpc.AspNetCore.Tests.Explorer;

/// <summary>The browser tests' driver leaves nothing behind, whether the test passed or failed.</summary>
public sealed class HeadlessChromiumTests
{
    [Fact]
    public async Task Disposing_after_a_failure_ends_every_browser_process_and_removes_the_profile()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Reads the command lines of processes from /proc.");
        HeadlessChromium browser = await HeadlessChromium.StartAsync();
        string profile = browser.ProfilePath;
        try
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => browser.EvaluateAsync("(() => { throw new Error('a failing step'); })()"));
            Assert.Contains(browser.ProcessId, BrowserProcesses(profile));
            Assert.True(BrowserProcesses(profile).Count > 1, "Chromium runs helpers (zygote, renderer) besides its main process.");
        }
        finally
        {
            await browser.DisposeAsync();
        }

        Assert.False(Directory.Exists(profile), $"{profile} is still there.");

        // SIGKILL is delivered at once, but a process leaves /proc only once it has died: look until they are gone.
        var deadline = Stopwatch.StartNew();
        List<int> left;
        while ((left = BrowserProcesses(profile)).Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        Assert.Empty(left);
    }

    /// <summary>Live processes whose command line names <paramref name="profile"/> (a zombie's command line is empty).</summary>
    private static List<int> BrowserProcesses(string profile)
    {
        var found = new List<int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(profile, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        return found;
    }
}
