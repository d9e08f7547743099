using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.CallingSdk.Tests;

/// <summary>
/// Switchboard as a child process, started the way a user starts it (`switchboard start`), on ephemeral ports, with
/// a fresh data directory and (optionally) a fresh PostgreSQL schema. `npm run test:dotnet` (clients/dotnet/run.mjs)
/// builds Switchboard and says where its CLI and TLS directory are.
/// </summary>
public sealed partial class SwitchboardProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly string dataDir;

    /// <summary>The https origin, e.g. https://127.0.0.1:38211 (Graph is under /v1.0 and /beta).</summary>
    public string HttpsUrl { get; }

    /// <summary>The plain-http origin, used here for the control API only (a person's actions, inspection).</summary>
    public string HttpUrl { get; }

    /// <summary>The control API, for what only a person or the phone network can do (not the SDK under test).</summary>
    public HttpClient Control { get; }

    private SwitchboardProcess(Process process, string dataDir, string httpsUrl, string httpUrl, StringBuilder output)
    {
        this.process = process;
        this.dataDir = dataDir;
        this.output = output;
        HttpsUrl = httpsUrl;
        HttpUrl = httpUrl;
        Control = new HttpClient { BaseAddress = new Uri(httpUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Everything the process printed so far (shown when a test fails).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static string RequiredEnv(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"{name} is not set: run these tests with `npm run test:dotnet` from the repository root");

    /// <param name="worldJson">The world file's content (tenants, apps with their callback URL, people, meetings).</param>
    /// <param name="botCaPemPath">The bot's callback certificate, trusted by Switchboard's notification delivery.</param>
    /// <param name="postgres">A PostgreSQL URL and schema to store state in; null for SQLite in the data directory.</param>
    public static async Task<SwitchboardProcess> StartAsync(string worldJson, string botCaPemPath, (string Url, string Schema)? postgres)
    {
        var cli = RequiredEnv("SWITCHBOARD_CLI");
        var tlsDir = RequiredEnv("SWITCHBOARD_TLS_DIR");
        var dataDir = Directory.CreateTempSubdirectory("sb-dotnet-").FullName;
        var worldFile = Path.Combine(dataDir, "world.json");
        await File.WriteAllTextAsync(worldFile, worldJson);

        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { cli, "start", "--host", "127.0.0.1", "--port", "0", "--https-port", "0", "--data", dataDir, "--tls-dir", tlsDir, "--world", worldFile, "--log-level", "warn" })
        {
            psi.ArgumentList.Add(arg);
        }
        if (postgres is { } pg)
        {
            psi.ArgumentList.Add("--postgres");
            psi.ArgumentList.Add(pg.Url);
            psi.ArgumentList.Add("--postgres-schema");
            psi.ArgumentList.Add(pg.Schema);
        }
        // Switchboard posts notifications to the bot's https endpoint, whose certificate the test made.
        psi.Environment["NODE_EXTRA_CA_CERTS"] = botCaPemPath;
        psi.Environment["NODE_OPTIONS"] = "";

        var output = new StringBuilder();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var started = new TaskCompletionSource<(string Https, string Http)>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            string all;
            lock (output)
            {
                output.AppendLine(line);
                all = output.ToString();
            }
            var https = HttpsLine().Match(all);
            var http = HttpLine().Match(all);
            if (https.Success && http.Success)
            {
                started.TrySetResult((https.Groups[1].Value, http.Groups[1].Value));
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException($"Switchboard exited ({process.ExitCode}) before it started:\n{output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var done = await Task.WhenAny(started.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (done != started.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Switchboard did not print its banner within 60 s:\n{output}");
        }
        var (httpsUrl, httpUrl) = await started.Task;
        return new SwitchboardProcess(process, dataDir, httpsUrl, httpUrl, output);
    }

    [GeneratedRegex(@"Graph \(https\)\s+(https://\S+?)/v1\.0")]
    private static partial Regex HttpsLine();

    [GeneratedRegex(@"Graph \(http\)\s+(http://\S+?)/v1\.0")]
    private static partial Regex HttpLine();

    /// <summary>POSTs JSON to the control API and returns the answer's body; throws with the body on a non-2xx.</summary>
    public async Task<JsonNode?> ControlPostAsync(string path, object body)
    {
        using var res = await Control.PostAsJsonAsync(path, body);
        var text = await res.Content.ReadAsStringAsync();
        if (!res.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {path} answered {(int)res.StatusCode}: {text}");
        }
        return JsonNode.Parse(text);
    }

    public async Task<JsonNode?> ControlGetAsync(string path)
    {
        using var res = await Control.GetAsync(path);
        var text = await res.Content.ReadAsStringAsync();
        if (!res.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path} answered {(int)res.StatusCode}: {text}");
        }
        return JsonNode.Parse(text);
    }

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        if (!process.HasExited)
        {
            // SIGTERM: Switchboard shuts down gracefully (delivers what is due, closes the store).
            Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        process.Dispose();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
