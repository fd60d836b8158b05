using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace TinyRpc.Packaging.Tests;

/// <summary>
/// What users install, not what the solution references: the packages are packed into a local folder and a fresh
/// project outside the repository, which references nothing but those packages, is built and run.
/// </summary>
public sealed class PackageConsumerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    private static string Metadata(string key) => typeof(PackageConsumerTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    [Fact]
    public async Task A_fresh_project_referencing_only_the_package_serves_and_calls_through_generated_code()
    {
        string root = Metadata("RepositoryRoot");
        string configuration = Metadata("Configuration");
        string work = Directory.CreateTempSubdirectory("tinyrpc-consumer-").FullName;
        try
        {
            // A version of its own for every run, so a package cached by an earlier run is never used instead.
            string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            string feed = Path.Combine(work, "feed");
            await RunAsync(root, "pack", Path.Combine(root, "src", "TinyRpc.Runtime", "TinyRpc.Runtime.csproj"),
                "-c", configuration, "--no-build", "-o", feed, "-p:Version=" + version);
            Assert.True(File.Exists(Path.Combine(feed, $"TinyRpc.Runtime.{version}.nupkg")));

            string project = Path.Combine(work, "consumer");
            Directory.CreateDirectory(project);
            string templates = Path.Combine(AppContext.BaseDirectory, "Consumer");
            File.Copy(Path.Combine(templates, "Consumer.csproj.txt"), Path.Combine(project, "Consumer.csproj"));
            File.Copy(Path.Combine(templates, "Program.cs.txt"), Path.Combine(project, "Program.cs"));
            await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="tinyrpc-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);

            string output = await RunAsync(project, "run", "-c", "Release", "-p:TinyRpcVersion=" + version);
            Assert.Contains("Hello, package! 5", output, StringComparison.Ordinal);

            // The analyzers come with the same package: a broken contract is reported by the build.
            File.Copy(Path.Combine(templates, "Broken.cs.txt"), Path.Combine(project, "Broken.cs"));
            string broken = await RunAsync(project, expectedExitCode: 1, "build", "-c", "Release", "-p:TinyRpcVersion=" + version);
            Assert.Contains("TRPC0002", broken, StringComparison.Ordinal);
            Assert.Contains("TRPC0005", broken, StringComparison.Ordinal);
            Assert.Contains("TRPC0009", broken, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_build_writes_the_contract_snapshot_on_request_and_then_fails_on_a_breaking_change()
    {
        string root = Metadata("RepositoryRoot");
        string configuration = Metadata("Configuration");
        string work = Directory.CreateTempSubdirectory("tinyrpc-contract-").FullName;
        try
        {
            string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            string feed = Path.Combine(work, "feed");
            await RunAsync(root, "pack", Path.Combine(root, "src", "TinyRpc.Runtime", "TinyRpc.Runtime.csproj"),
                "-c", configuration, "--no-build", "-o", feed, "-p:Version=" + version);

            // A library: the check needs only a build.
            string project = Path.Combine(work, "Shop");
            Directory.CreateDirectory(project);
            string templates = Path.Combine(AppContext.BaseDirectory, "Consumer");
            string csproj = (await File.ReadAllTextAsync(Path.Combine(templates, "Consumer.csproj.txt")))
                .Replace("<OutputType>Exe</OutputType>", "", StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(project, "Shop.csproj"), csproj);
            string source = Path.Combine(project, "Cart.cs");
            await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="tinyrpc-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            string[] build = ["build", "-c", "Release", "-p:TinyRpcVersion=" + version];
            string[] write = [.. build, "-p:TinyRpcWriteContract=true"];
            string snapshot = Path.Combine(project, "Shop.rpc-contract.json");

            // Without services there is nothing to record: no file.
            await EditAsync(source, "namespace Shop;\n\npublic static class Empty { }\n");
            string nothing = await RunAsync(project, write);
            Assert.Contains("TinyRpc: the project has no [RpcService] types, so no contract was written", nothing, StringComparison.Ordinal);
            Assert.False(File.Exists(snapshot));

            await EditAsync(source, await File.ReadAllTextAsync(Path.Combine(templates, "Contract.cs.txt")));
            await RunAsync(project, write);
            Assert.Equal("""
                {
                  "tinyrpcContract": 1,
                  "services": [
                    {
                      "name": "Shop.Cart",
                      "methods": [
                        {"name": "add_item", "parameters": [{"name": "sku", "type": "string"}, {"name": "quantity", "type": "int", "optional": true}], "result": "int"},
                        {"name": "clear", "parameters": [], "result": null}
                      ]
                    }
                  ]
                }
                """.ReplaceLineEndings("\n"), (await File.ReadAllTextAsync(snapshot)).ReplaceLineEndings("\n").TrimEnd('\n'));

            // The snapshot is picked up without any setting: an unchanged contract builds (warnings are errors) ...
            await RunAsync(project, build);

            // ... a breaking change does not ...
            await EditAsync(source, (await File.ReadAllTextAsync(source)).Replace("int quantity = 1", "int quantity", StringComparison.Ordinal));
            string broken = await RunAsync(project, expectedExitCode: 1, build);
            Assert.Contains("Cart.cs(9,49): error TRPC0021: 'add_item' of 'Shop.Cart' no longer lets callers leave out parameter 'quantity'", broken, StringComparison.Ordinal);

            // ... until the snapshot is written again, which records the change.
            await RunAsync(project, write);
            Assert.Contains("{\"name\": \"quantity\", \"type\": \"int\"}]", await File.ReadAllTextAsync(snapshot), StringComparison.Ordinal);
            await RunAsync(project, build);

            // A damaged snapshot is one clear diagnostic, not a crash.
            await EditAsync(snapshot, "{\"tinyrpcContract\": 1,");
            string damaged = await RunAsync(project, expectedExitCode: 1, build);
            Assert.Contains("error TRPC0025: The contract snapshot", damaged, StringComparison.Ordinal);
            Assert.DoesNotContain("AD0001", damaged, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Rewrites a file of the project and dates it ahead of the last build's outputs, so that the next build compiles
    /// again even where the file system keeps coarse timestamps (a copy would keep the template's older date).
    /// </summary>
    private static async Task EditAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(2));
    }

    private static Task<string> RunAsync(string directory, params string[] arguments) => RunAsync(directory, 0, arguments);

    private static async Task<string> RunAsync(string directory, int expectedExitCode, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // Started from a test run: keep MSBuild settings of the outer build out of the consumer's build.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using Process process = Process.Start(start)!;
        var text = new StringBuilder();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in {Limit}");
        }

        text.Append(await stdout).Append(await stderr);
        Assert.True(process.ExitCode == expectedExitCode, $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}:\n{text}");
        return text.ToString();
    }
}
