using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Discord;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Discord;

/// <summary>The real core and the Discord adapter, pointed at a <see cref="FakeDiscord"/>, with payload builders.</summary>
internal sealed class DiscordRig : IAsyncDisposable
{
    public const string Token = FakeDiscord.DefaultToken;
    public const string ApplicationId = "800000000000000001";
    public const string GuildId = "700000000000000001";
    public const string VolunteerRoleId = "600000000000000001";
    public const string VolunteerChannelId = "500000000000000001";
    public const string ListedVolunteerId = "400000000000000009";

    private static long _nextId = 1_100_000_000_000_000_000;

    private DiscordRig(FakeDiscord fake, CoreHarness core)
    {
        Fake = fake;
        Core = core;
    }

    public FakeDiscord Fake { get; }

    public CoreHarness Core { get; }

    /// <summary>
    /// Whether the test provokes a refusal on purpose. Otherwise disposing the rig fails the test when the fake refused
    /// anything the adapter sent as Discord would (a late or second initial response, a wrong token).
    /// </summary>
    public bool ExpectRefusals { get; set; }

    internal DiscordConnection Connection => Core.Get<DiscordConnection>();

    public static async Task<DiscordRig> StartAsync(
        Action<FakeDiscord>? arrange = null, Action<IServiceCollection>? services = null, bool start = true,
        Action<Dictionary<string, string?>>? settings = null)
    {
        var fake = await FakeDiscord.StartAsync();
        arrange?.Invoke(fake);
        var configuration = new Dictionary<string, string?>
        {
            ["Discord:Token"] = Token,
            ["Discord:ApplicationId"] = ApplicationId,
            ["Discord:ApiBaseUrl"] = fake.ApiBaseUrl,
            ["Discord:GuildId"] = GuildId,
            ["Discord:VolunteerRoleId"] = VolunteerRoleId,
            ["Discord:VolunteerChannelId"] = VolunteerChannelId,
            ["Discord:VolunteerUserIds:0"] = ListedVolunteerId,
        };
        settings?.Invoke(configuration);
        var core = new CoreHarness(
            s =>
            {
                s.AddDiscordAdapter();
                services?.Invoke(s);
            },
            configuration);
        var rig = new DiscordRig(fake, core);
        if (start)
        {
            await rig.Connection.StartAsync(CancellationToken.None);
            // Answered, not just sent: an event dispatched before the READY belongs to no session and would be lost.
            await FakeDiscord.WaitAsync(() => fake.IdentifiesAnswered > 0 ? "answered" : null, "the answer to IDENTIFY");
        }

        return rig;
    }

    /// <summary>
    /// Runs /help for <paramref name="userId"/> and waits for its answer. Each person's events are handled in order,
    /// so once it is answered everything that person sent before has been handled: a test can then assert that
    /// nothing else happened without waiting a fixed time. (Events that are ignored, like guild messages, are ignored
    /// as they are read, so any later answer proves them done.)
    /// </summary>
    public async Task SentinelAsync(string userId)
    {
        var id = NextId();
        await Fake.DispatchAsync("INTERACTION_CREATE", Command(id, Member(userId, "sentinel"), "help"));
        await Fake.WaitForCallAsync("POST", $"/interactions/{id}/", seconds: 10);
    }

    public static string NextId() => Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static JsonObject User(string id, string name) => new() { ["id"] = id, ["username"] = name, ["global_name"] = name };

    public static JsonObject Member(string id, string name, params string[] roles) => new()
    {
        ["user"] = User(id, name),
        ["roles"] = new JsonArray(roles.Select(r => (JsonNode)r!).ToArray()),
        ["nick"] = null,
    };

    /// <summary>A slash command used in the guild by a member.</summary>
    public static JsonObject Command(string id, JsonObject member, string name, params (string Name, string Value)[] options) => new()
    {
        ["id"] = id,
        ["application_id"] = ApplicationId,
        ["type"] = 2,
        ["token"] = "interaction-token-" + id,
        ["version"] = 1,
        ["guild_id"] = GuildId,
        ["channel_id"] = "300000000000000001",
        ["member"] = member.DeepClone(),
        ["context"] = 0,
        ["data"] = new JsonObject
        {
            ["id"] = "200000000000000001",
            ["name"] = name,
            ["type"] = 1,
            ["options"] = new JsonArray(options.Select(o => (JsonNode)new JsonObject { ["name"] = o.Name, ["type"] = 3, ["value"] = o.Value }).ToArray()),
        },
    };

    /// <summary>A button press or select choice; with <paramref name="member"/> null it happened in a DM (<paramref name="user"/> set).</summary>
    public static JsonObject Component(string id, string customId, JsonObject? member, JsonObject? user = null, params string[] values)
    {
        var data = new JsonObject { ["custom_id"] = customId, ["component_type"] = values.Length > 0 ? 3 : 2 };
        if (values.Length > 0)
        {
            data["values"] = new JsonArray(values.Select(v => (JsonNode)v!).ToArray());
        }

        var interaction = new JsonObject
        {
            ["id"] = id,
            ["application_id"] = ApplicationId,
            ["type"] = 3,
            ["token"] = "interaction-token-" + id,
            ["version"] = 1,
            ["channel_id"] = "300000000000000001",
            ["message"] = new JsonObject { ["id"] = "310000000000000001", ["flags"] = 64 },
            ["data"] = data,
        };
        if (member is not null)
        {
            interaction["guild_id"] = GuildId;
            interaction["member"] = member.DeepClone();
            interaction["context"] = 0;
        }
        else
        {
            interaction["user"] = user?.DeepClone();
            interaction["context"] = 1;
        }

        return interaction;
    }

    public static JsonObject DirectMessage(string id, string userId, string name, string content) => new()
    {
        ["id"] = id,
        ["channel_id"] = "dm-" + userId,
        ["channel_type"] = 1,
        ["author"] = User(userId, name),
        ["content"] = content,
        ["timestamp"] = "2026-11-23T12:00:00.000000+00:00",
        ["tts"] = false,
        ["mention_everyone"] = false,
        ["mentions"] = new JsonArray(),
        ["attachments"] = new JsonArray(),
        ["embeds"] = new JsonArray(),
        ["type"] = 0,
    };

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Connection.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A test that stopped it already, or a stuck stop: the fake is torn down regardless.
        }

        Core.Dispose();
        await Fake.DisposeAsync();
        Assert.True(ExpectRefusals || Fake.Refusals.IsEmpty, "Discord would have refused: " + string.Join("; ", Fake.Refusals));
    }
}
