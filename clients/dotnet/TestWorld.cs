using System.Text.Json.Nodes;

namespace Switchboard.CallingSdk.Tests;

/// <summary>
/// The simulated directory these tests run in: one tenant, two bot apps (the bot under test and a colleague bot that
/// is already in a meeting), people who answer quickly, and short prompts. Ids are those of Switchboard's default
/// world (Graph's documentation examples).
/// </summary>
public static class TestWorld
{
    public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const string BotAppId = "0efc74f7-41c3-47a4-8775-7259bfef4241";
    public const string BotSecret = "switchboard-local-secret";
    public const string ColleagueAppId = "a3b2c1d0-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    public const string ColleagueSecret = "colleague-local-secret";

    public const string Adele = "278405a3-f568-4b3e-b684-009193463064";
    public const string Alex = "7e1b4346-85a6-4bdd-abe3-d11c5d420efe";
    public const string Diego = "1e126418-44a0-4a94-a6f8-0efe1ad71acb";
    public const string Megan = "682b6c37-0729-4fab-ace6-d730d5d9137e";
    public const string Bob = "5810cede-f3cc-42eb-b2c1-e9bd5d53ec96";
    public const string Dana = "d1e2c3b4-0001-4000-8000-00000000dec1";

    public static readonly Dictionary<string, string> DisplayNames = new()
    {
        [Adele] = "Adele Vance",
        [Alex] = "Alex Wilber",
        [Diego] = "Diego Siciliani",
        [Megan] = "Megan Bowen",
        [Bob] = "Bob Organizer",
        [Dana] = "Dana Declines",
    };

    private static readonly string[] CallingRoles =
    [
        "Calls.Initiate.All", "Calls.InitiateGroupCall.All", "Calls.JoinGroupCall.All", "Calls.JoinGroupCallAsGuest.All", "Calls.AccessMedia.All",
    ];

    public static string Json(Uri botCallback, Uri colleagueCallback)
    {
        JsonObject App(string id, string name, string secret, Uri callback) => new()
        {
            ["id"] = id,
            ["displayName"] = name,
            ["secret"] = secret,
            ["roles"] = new JsonArray(CallingRoles.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
            ["callbackUri"] = callback.ToString(),
            ["instances"] = new JsonArray(),
        };
        JsonObject User(string id, string action, int afterMs) => new()
        {
            ["id"] = id,
            ["displayName"] = DisplayNames[id],
            ["answer"] = new JsonObject { ["action"] = action, ["afterMs"] = afterMs },
        };
        var world = new JsonObject
        {
            ["establishMs"] = 100,
            ["prompts"] = new JsonObject { ["defaultMs"] = 300 },
            ["tenants"] = new JsonArray(new JsonObject
            {
                ["id"] = TenantId,
                ["displayName"] = "Contoso",
                ["apps"] = new JsonArray(
                    App(BotAppId, "Switchboard SDK test bot", BotSecret, botCallback),
                    App(ColleagueAppId, "Colleague bot", ColleagueSecret, colleagueCallback)),
                ["users"] = new JsonArray(
                    User(Adele, "accept", 200),
                    User(Alex, "accept", 200),
                    User(Diego, "accept", 200),
                    User(Megan, "accept", 300),
                    User(Bob, "accept", 200),
                    User(Dana, "decline", 400)),
                ["phones"] = new JsonArray(),
                ["meetings"] = new JsonArray(),
            }),
        };
        return world.ToJsonString();
    }
}
