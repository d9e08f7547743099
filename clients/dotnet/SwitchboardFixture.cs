using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Graph.Communications.Client;
using Microsoft.Graph.Communications.Common.Telemetry;
using Xunit;

namespace Switchboard.CallingSdk.Tests;

/// <summary>One bot process: its notification endpoint, its communications client and the SDK's log.</summary>
public sealed class BotHost : IAsyncDisposable, IObserver<LogEvent>
{
    private readonly IDisposable subscription;

    public string AppId { get; }
    public NotificationEndpoint Endpoint { get; }
    public ICommunicationsClient Client { get; }
    public GraphLogger Logger { get; }

    /// <summary>The SDK's warnings and errors (everything with SWITCHBOARD_DOTNET_VERBOSE=1), shown when a test fails.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public BotHost(string switchboardHttps, string appId, string secret, NotificationEndpoint endpoint)
    {
        AppId = appId;
        Endpoint = endpoint;
        Logger = new GraphLogger(appId, redirectToTrace: false)
        {
            DiagnosticLevel = Environment.GetEnvironmentVariable("SWITCHBOARD_DOTNET_VERBOSE") == "1" ? TraceLevel.Verbose : TraceLevel.Warning,
        };
        subscription = Logger.Subscribe(this);
        Client = BotClient.Build(switchboardHttps, TestWorld.TenantId, appId, secret, endpoint.NotificationUrl, Logger);
        endpoint.Handler = Client.ProcessNotificationAsync;
    }

    void IObserver<LogEvent>.OnNext(LogEvent value) => Log.Enqueue($"{value.Timestamp:HH:mm:ss.fff} {value.Level} {value.Message}");

    void IObserver<LogEvent>.OnError(Exception error) => Log.Enqueue($"logger error: {error}");

    void IObserver<LogEvent>.OnCompleted()
    {
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        subscription.Dispose();
        await Endpoint.DisposeAsync();
    }
}

/// <summary>
/// Switchboard plus two bots (the bot under test and a colleague bot of another app), started once per test class.
/// </summary>
public abstract class SwitchboardFixture : IAsyncLifetime
{
    private string? directory;

    public SwitchboardProcess Switchboard { get; private set; } = null!;
    public BotHost Bot { get; private set; } = null!;
    public BotHost Colleague { get; private set; } = null!;

    /// <summary>PostgreSQL URL and a fresh schema, or null for SQLite.</summary>
    protected abstract (string Url, string Schema)? Postgres { get; }

    public async Task InitializeAsync()
    {
        directory = Directory.CreateTempSubdirectory("sb-dotnet-bot-").FullName;
        var (certificate, pemPath) = NotificationEndpoint.CreateCertificate(directory);
        var botEndpoint = await NotificationEndpoint.StartAsync(pemPath, certificate);
        var colleagueEndpoint = await NotificationEndpoint.StartAsync(pemPath, certificate);
        Switchboard = await SwitchboardProcess.StartAsync(TestWorld.Json(botEndpoint.NotificationUrl, colleagueEndpoint.NotificationUrl), pemPath, Postgres);
        Bot = new BotHost(Switchboard.HttpsUrl, TestWorld.BotAppId, TestWorld.BotSecret, botEndpoint);
        Colleague = new BotHost(Switchboard.HttpsUrl, TestWorld.ColleagueAppId, TestWorld.ColleagueSecret, colleagueEndpoint);
    }

    public async Task DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Colleague.DisposeAsync();
        await Switchboard.DisposeAsync();
        if (directory is not null)
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

public sealed class SqliteFixture : SwitchboardFixture
{
    protected override (string Url, string Schema)? Postgres => null;
}

/// <summary>
/// Switchboard on PostgreSQL: SWITCHBOARD_DOTNET_POSTGRES_URL and a fresh schema under SWITCHBOARD_DOTNET_SCHEMA_PREFIX
/// (run.mjs sets both and drops the schemas afterwards).
/// </summary>
public sealed class PostgresFixture : SwitchboardFixture
{
    private readonly (string Url, string Schema) postgres = (
        SwitchboardProcess.RequiredEnv("SWITCHBOARD_DOTNET_POSTGRES_URL"),
        SwitchboardProcess.RequiredEnv("SWITCHBOARD_DOTNET_SCHEMA_PREFIX") + Guid.NewGuid().ToString("N")[..12]);

    protected override (string Url, string Schema)? Postgres => postgres;
}
