using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.CallingSdk.Tests;

/// <summary>
/// The bot's notification URL: an ASP.NET Core (Kestrel) https endpoint on 127.0.0.1 that hands every POST to the
/// SDK's own entry point, as the samples' notification controllers do. The SDK refuses a notification URL that is not
/// https, so the endpoint has a certificate of its own; Switchboard trusts it through NODE_EXTRA_CA_CERTS.
/// </summary>
public sealed class NotificationEndpoint : IAsyncDisposable
{
    private readonly WebApplication app;

    /// <summary>What the SDK answered to each notification POST (status and body), in arrival order.</summary>
    public ConcurrentQueue<(int Status, string Request, string Response)> Answers { get; } = new();

    /// <summary>Set once the bot's client is built: the SDK's processing entry point.</summary>
    public Func<HttpRequestMessage, Task<HttpResponseMessage>>? Handler { get; set; }

    public Uri NotificationUrl { get; }

    /// <summary>The certificate's PEM file, to give Switchboard as NODE_EXTRA_CA_CERTS.</summary>
    public string CertificatePemPath { get; }

    private NotificationEndpoint(WebApplication app, Uri notificationUrl, string pemPath)
    {
        this.app = app;
        NotificationUrl = notificationUrl;
        CertificatePemPath = pemPath;
    }

    public static async Task<NotificationEndpoint> StartAsync(string certificatePemPath, X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        NotificationEndpoint? self = null;
        app.MapPost("/api/calling", async (HttpContext ctx) =>
        {
            var handler = self?.Handler;
            if (handler is null)
            {
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            using var request = await ToRequestMessageAsync(ctx.Request);
            var requestBody = await request.Content!.ReadAsStringAsync();
            using var response = await handler(request);
            var responseBody = response.Content is null ? "" : await response.Content.ReadAsStringAsync();
            self!.Answers.Enqueue(((int)response.StatusCode, requestBody, responseBody));
            ctx.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers)
            {
                ctx.Response.Headers[name] = values.ToArray();
            }
            if (responseBody.Length > 0)
            {
                ctx.Response.ContentType = response.Content?.Headers.ContentType?.ToString() ?? "application/json";
                await ctx.Response.WriteAsync(responseBody);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var port = new Uri(address).Port;
        self = new NotificationEndpoint(app, new Uri($"https://127.0.0.1:{port}/api/calling"), certificatePemPath);
        return self;
    }

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, written as PEM for Switchboard to trust.</summary>
    public static (X509Certificate2 Certificate, string PemPath) CreateCertificate(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Switchboard SDK test bot", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        var pemPath = Path.Combine(directory, "bot-callback.pem");
        File.WriteAllText(pemPath, certificate.ExportCertificatePem());
        return (certificate, pemPath);
    }

    /// <summary>The ASP.NET Core request as the HttpRequestMessage the SDK's ProcessNotificationAsync takes.</summary>
    private static async Task<HttpRequestMessage> ToRequestMessageAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var message = new HttpRequestMessage(HttpMethod.Post, $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}")
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach (var (name, values) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                message.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        return message;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
