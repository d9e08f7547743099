using Microsoft.Graph.Communications.Client;
using Microsoft.Graph.Communications.Client.Authentication;
using Microsoft.Graph.Communications.Common.Telemetry;
using Microsoft.Identity.Client;

namespace Switchboard.CallingSdk.Tests;

/// <summary>
/// How a bot builds its communications client, exactly as against Graph; only the URLs point at Switchboard.
/// This is the code the README's "Point a C# bot at Switchboard" shows.
/// </summary>
public static class BotClient
{
    /// <param name="switchboard">Switchboard's https origin, e.g. https://127.0.0.1:4443 (Graph: https://graph.microsoft.com).</param>
    /// <param name="notificationUrl">The bot's https callback (the SDK refuses http).</param>
    public static ICommunicationsClient Build(string switchboard, string tenantId, string appId, string appSecret, Uri notificationUrl, IGraphLogger logger)
    {
        // App-only tokens from Switchboard's token endpoint (Graph: https://login.microsoftonline.com/{tenant}).
        // Switchboard is not a known Entra host, so MSAL must not validate the authority or run instance discovery.
        var msal = ConfidentialClientApplicationBuilder.Create(appId)
            .WithClientSecret(appSecret)
            .WithAuthority($"{switchboard}/{tenantId}", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .Build();

        // Inbound notifications carry a JWT signed with the keys in Switchboard's OpenID configuration
        // (Graph: https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration), issuer https://api.botframework.com,
        // audience = the app id, tid = the tenant: the SDK's legacy OID path validates them. Its Entra path is pointed
        // at Switchboard's token issuer, so no request leaves the machine.
        var authentication = new GraphAuthenticationOptions
        {
            OidAuthorityUrl = $"{switchboard}/.well-known/OpenIdConfiguration",
            EntraAuthorityUrl = $"{switchboard}/{tenantId}/v2.0/.well-known/openid-configuration",
            ValidEntraIssuerPrefixes = [$"{switchboard}/"],
        };

        return new CommunicationsClientBuilder("SwitchboardSdkTestBot", appId, logger)
            .SetAuthentication(appId, new MsalTokenProvider(msal), authentication)
            .SetNotificationUrl(notificationUrl)
            .SetServiceBaseUrl(new Uri($"{switchboard}/v1.0"))
            .Build();
    }
}
