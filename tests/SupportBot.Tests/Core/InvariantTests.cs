using System.Text;
using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

public sealed class InvariantTests : IDisposable
{
    private const string Disclosure = "Dr Whitfield told me our sessions at his cabin were part of my therapy";
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task Invariant_6_twenty_volunteers_claiming_at_once_exactly_one_wins_and_the_rest_are_told_it_is_taken()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        var volunteers = Enumerable.Range(1, 20).Select(i => Say.Volunteer($"vol{i}")).ToList();
        using var start = new ManualResetEventSlim();

        var claims = volunteers.Select(v => Task.Run(async () =>
        {
            start.Wait();
            return (Volunteer: v, Replies: await _core.Bot.HandleAsync(Say.Press(v, $"claim:{id}"), default));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(claims);

        var winners = results.Where(r => r.Replies.Any(x => x.Audience is Audience.Direct d && d.User == r.Volunteer.Address)).ToList();
        var winner = Assert.Single(winners);
        var taken = _core.Content.Messages.AlreadyTaken.Replace("{Id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.All(results.Except(winners), r => Assert.Equal(taken, r.Replies.Single().Text().Trim()));
        var conversation = await _core.Get<ConversationStore>().GetAsync(id, default);
        Assert.Equal(winner.Volunteer.Address, conversation!.ClaimedBy);
        Assert.Single(await _core.Get<ConversationStore>().AuditTrailAsync(id, default), a => a.Action == "claim");
    }

    [Fact]
    public async Task Invariant_4_the_database_file_holds_no_byte_sequence_of_a_disclosure_name_or_note()
    {
        var first = await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);
        var named = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:name:", StringComparison.Ordinal));
        await _core.Bot.HandleAsync(Say.Press(_alice with { DisplayName = "Alice Wanderlust" }, named.ActionId), default);
        var queued = await _core.Bot.QueueDisclosureAsync(Say.Member("Bea Marchetti"), "Another private story about a retreat leader");
        var vol = Say.Volunteer("vol");
        await _core.Bot.HandleAsync(Say.Press(vol, $"claim:{queued}"), default);
        await _core.Bot.HandleAsync(Say.Command(vol, "note", "Mentions a sister named Philippa"), default);
        _core.Services.Dispose();
        Database.CloseAll();

        var bytes = ReadAllDatabaseFiles();
        foreach (var secret in new[] { Disclosure, "cabin", "Another private story", "retreat leader", "Philippa" })
        {
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), $"'{secret}' was found in the database files");
        }

        // The search itself works: the status column is stored in clear and is found.
        Assert.True(Contains(bytes, Encoding.UTF8.GetBytes("Queued")));
        Assert.False(Contains(bytes, Encoding.UTF8.GetBytes("Wanderlust")));
    }

    [Fact]
    public async Task Invariant_4_a_local_key_file_is_created_readable_by_its_owner_only()
    {
        await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);

        var keyFile = Path.Combine(_core.Directory, "supportbot.key");
        Assert.True(File.Exists(keyFile));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(keyFile)).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
    }

    [Fact]
    public async Task Invariant_4_the_database_file_is_readable_by_its_owner_only()
    {
        await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_core.DatabasePath));
        }
    }

    [Fact]
    public async Task Invariant_7_forget_deletes_everything_about_the_person_and_says_what()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Dm(_alice, "second message"), default);
        var vol = Say.Volunteer("vol");
        await _core.Bot.HandleAsync(Say.Press(vol, $"claim:{id}"), default);
        await _core.Bot.HandleAsync(Say.Command(vol, "note", "a note"), default);
        await _core.Bot.HandleAsync(Say.Dm(vol, "a reply"), default);

        var replies = await _core.Bot.HandleAsync(Say.Command(_alice, "forget"), default);

        var answer = replies.OnlyTo(_alice).Text();
        Assert.Contains("1 conversation", answer, StringComparison.Ordinal);
        Assert.Contains("3 message", answer, StringComparison.Ordinal);
        Assert.Contains("1 volunteer note", answer, StringComparison.Ordinal);
        Assert.Contains($"#{id}", replies.DmTo(vol).Text(), StringComparison.Ordinal);
        Assert.Null(await _core.Get<ConversationStore>().GetAsync(id, default));
        Assert.Empty(await _core.Get<ConversationStore>().ReadTranscriptAsync(id, vol.Address, default));
    }

    [Fact]
    public async Task Invariant_9_an_event_delivered_twice_is_handled_once()
    {
        var message = Say.Dm(_alice, Disclosure);

        var first = await _core.Bot.HandleAsync(message, default);
        var second = await _core.Bot.HandleAsync(message, default);

        Assert.NotEmpty(first);
        Assert.Empty(second);
        var conversation = await _core.Get<ConversationStore>().FindOpenAsync(_alice.Address, default);
        var vol = Say.Volunteer("vol");
        await _core.Bot.HandleAsync(Say.Press(_alice, $"consent:pseudonym:{conversation!.Id}"), default);
        var claim = await _core.Bot.HandleAsync(Say.Press(vol, $"claim:{conversation.Id}"), default);
        Assert.Single(claim.DmTo(vol).Text().Split('\n'), l => l.Contains(Disclosure, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("claim:1:2:3")]
    [InlineData("consent:pseudonym:999")]
    [InlineData("consent:nonsense:1")]
    [InlineData("CLAIM:1")]
    [InlineData("redflags:check:../../etc/passwd")]
    [InlineData("reflect:next:feelings:99999999999")]
    [InlineData("close:1:burned")]
    [InlineData("")]
    [InlineData("x")]
    public async Task Invariant_10_forged_or_stale_button_ids_get_a_polite_answer_and_change_nothing(string actionId)
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);

        var replies = await _core.Bot.HandleAsync(Say.Press(Say.Volunteer("mallory"), actionId), default);

        var only = Assert.Single(replies);
        Assert.IsType<Audience.OnlyActor>(only.Audience);
        Assert.False(string.IsNullOrWhiteSpace(only.Text()));
        var conversation = await _core.Get<ConversationStore>().GetAsync(id, default);
        Assert.Equal(ConversationStatus.Queued, conversation!.Status);
    }

    [Fact]
    public async Task Invariant_10_huge_odd_text_gets_a_clear_answer_and_nothing_is_half_saved()
    {
        var huge = new string('x', Bot.MaxTextLength + 1);
        var odd = "\u0000\u202E emoji 🧡 and \uD83D lone surrogate {Text} {Name}";

        var tooLong = await _core.Bot.HandleAsync(Say.Dm(_alice, huge), default);
        Assert.Contains(Bot.MaxTextLength.ToString(System.Globalization.CultureInfo.InvariantCulture), tooLong.Single().Text(), StringComparison.Ordinal);
        Assert.Null(await _core.Get<ConversationStore>().FindOpenAsync(_alice.Address, default));

        var id = await _core.Bot.QueueDisclosureAsync(_alice, odd);
        var vol = Say.Volunteer("vol");
        var claim = await _core.Bot.HandleAsync(Say.Press(vol, $"claim:{id}"), default);
        Assert.Contains("emoji 🧡", claim.DmTo(vol).Text(), StringComparison.Ordinal);
        Assert.Contains("{Text} {Name}", claim.DmTo(vol).Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_commands_get_a_private_pointer_to_help()
    {
        var replies = await _core.Bot.HandleAsync(Say.Command(_alice, "hax0r", "--drop-tables"), default);

        var only = Assert.Single(replies);
        Assert.Equal(new Audience.OnlyActor(_alice.Address), only.Audience);
        Assert.Contains("/help", only.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_disclosure_note_or_name_ever_reaches_a_log_line()
    {
        var first = await _core.Bot.HandleAsync(Say.Dm(Say.Member("Zelda Quartermaine"), Disclosure), default);
        var named = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:name:", StringComparison.Ordinal));
        await _core.Bot.HandleAsync(Say.Press(Say.Member("Zelda Quartermaine"), named.ActionId), default);
        var id = long.Parse(named.ActionId.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);
        var vol = Say.Volunteer("vol");
        await _core.Bot.HandleAsync(Say.Press(vol, $"claim:{id}"), default);
        await _core.Bot.HandleAsync(Say.Command(vol, "note", "Secret note about Philippa"), default);
        await _core.Bot.HandleAsync(Say.Dm(vol, "Volunteer words about the cabin"), default);
        await _core.Bot.HandleAsync(Say.Dm(Say.Member("Zelda Quartermaine"), "I want to kill myself"), default);
        await _core.Bot.HandleAsync(Say.Command(vol, "close", "supported"), default);

        var logs = _core.Logs.AllText;
        Assert.Contains("claimed", logs, StringComparison.Ordinal);
        foreach (var secret in new[] { "Whitfield", "cabin", "Philippa", "kill myself", "Quartermaine" })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Retention_sweep_deletes_closed_conversations_after_the_configured_days_only()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        var vol = Say.Volunteer("vol");
        await _core.Bot.HandleAsync(Say.Press(vol, $"claim:{id}"), default);
        await _core.Bot.HandleAsync(Say.Command(vol, "close", "supported"), default);
        var open = await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "still waiting");
        var sweep = _core.Get<RetentionSweep>();

        _core.Clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await sweep.SweepOnceAsync(default));
        _core.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await sweep.SweepOnceAsync(default));

        Assert.Null(await _core.Get<ConversationStore>().GetAsync(id, default));
        Assert.NotNull(await _core.Get<ConversationStore>().GetAsync(open, default));
    }

    private byte[] ReadAllDatabaseFiles() =>
        Directory.GetFiles(_core.Directory, "supportbot.db*").SelectMany(File.ReadAllBytes).ToArray();

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
