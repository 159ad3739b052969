using SupportBot.Tests.Support;

namespace SupportBot.Tests.EndToEnd;

/// <summary>The real host with the console adapter, driven over stdin/stdout as a newcomer or a script would.</summary>
public sealed class ConsoleEndToEndTests : IDisposable
{
    private const string Disclosure = "My yoga teacher keeps touching me during class and says it is energy work";
    private readonly TempFolder _folder = new("e2e");

    public void Dispose() => _folder.Dispose();

    private ConsoleProcess Start() => ConsoleProcess.Start(_folder.Path, "--Console:Volunteers:0=vol", "--Console:Volunteers:1=sam");

    [Fact]
    public async Task A_member_ticks_red_flags_and_gets_a_private_graded_result()
    {
        await using var bot = Start();

        var checklist = await bot.SayAsync("alice: /redflags therapist", "None of these");
        Assert.All(checklist, l => Assert.StartsWith("[only alice]", l, StringComparison.Ordinal));
        var result = await bot.SayAsync("alice: [1,2]", "/resources");

        Assert.All(result, l => Assert.StartsWith("[only alice]", l, StringComparison.Ordinal));
        Assert.Contains(result, l => l.Contains("never the client's fault", StringComparison.Ordinal));
        Assert.Contains(result, l => l.Contains("Source:", StringComparison.Ordinal));
        Assert.Equal(0, await bot.EndInputAsync());
    }

    [Fact]
    public async Task Complaint_asks_for_what_is_missing_and_answers_at_once_when_given_both()
    {
        await using var bot = Start();

        var askProfession = await bot.SayAsync("alice: /complaint", "Psychologist");
        var askRegion = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(askProfession, "Psychologist")}]", "United States");
        Assert.Contains(askRegion, l => l.Contains("Where did the work take place?", StringComparison.Ordinal));
        var guide = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(askRegion, "United Kingdom")}]", "Support while it runs");
        Assert.Contains(guide, l => l.Contains("Health and Care Professions Council", StringComparison.Ordinal));

        // Read the rest of alice's answer: a reply to a later line can only come after it.
        await bot.SayAsync("alice: /privacy", "What I keep");
        var direct = await bot.SayAsync("bea: /complaint counsellor ie", "Support while it runs");
        Assert.All(direct, l => Assert.StartsWith("[only bea]", l, StringComparison.Ordinal));
        Assert.Contains(direct, l => l.Contains("First steps (Ireland)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Complaint_takes_professions_of_several_words_typed_on_the_console()
    {
        await using var bot = Start();

        var social = await bot.SayAsync("alice: /complaint social worker ireland", "Support while it runs");
        Assert.Contains(social, l => l.Contains("CORU", StringComparison.Ordinal));
        var family = await bot.SayAsync("alice: /complaint marriage and family therapist california", "Support while it runs");
        Assert.Contains(family, l => l.Contains("Board of Behavioral Sciences", StringComparison.Ordinal));
        var yoga = await bot.SayAsync("alice: /complaint yoga teacher us", "I'd rather not say");

        Assert.DoesNotContain(social.Concat(family).Concat(yoga), l => l.Contains("I don't have anything for", StringComparison.Ordinal));
        Assert.Equal(0, await bot.EndInputAsync());
    }

    [Fact]
    public async Task Complaint_in_the_us_asks_the_state_across_several_lists_and_california_shows_its_law()
    {
        await using var bot = Start();

        var askState = await bot.SayAsync("alice: /complaint psychologist us", "I'd rather not say");
        Assert.Contains(askState, l => l.EndsWith("] Alabama to Kentucky", StringComparison.Ordinal));
        var guide = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(askState, "California")}]", "Support while it runs");

        Assert.All(guide, l => Assert.StartsWith("[only alice]", l, StringComparison.Ordinal));
        Assert.Contains(guide, l => l.Contains("First steps (California, United States)", StringComparison.Ordinal));
        Assert.Contains(guide, l => l.Contains("Business and Professions Code 729", StringComparison.Ordinal));
        Assert.Equal(0, await bot.EndInputAsync());
    }

    [Fact]
    public async Task The_complaint_companion_lets_every_question_be_skipped_and_sends_the_draft_by_dm_only_keeping_nothing()
    {
        await using (var bot = Start())
        {
            var guide = await bot.SayAsync("alice: /complaint psychologist uk", "Prepare a complaint with me, privately");
            var question = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(guide, "Prepare a complaint with me, privately")}]", "Stop and delete my answers");
            Assert.Contains(question, l => l == "[only alice] I've sent you a direct message. We can go through it there, at your pace.");
            Assert.All(question.Skip(1), l => Assert.StartsWith("[dm alice]", l, StringComparison.Ordinal));

            // Profession and region are skipped; what happened is answered in the DM; the rest is skipped.
            question = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(question, "Skip this question")}]", "Stop and delete my answers");
            question = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(question, "Skip this question")}]", "Stop and delete my answers");
            question = await bot.SayAsync("alice (dm): The retreat leader said touch was part of my healing", "Stop and delete my answers");
            question = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(question, "Skip this question")}]", "Stop and delete my answers");
            question = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(question, "Skip this question")}]", "Stop and delete my answers");
            question = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(question, "Skip this question")}]", "Don't keep anything");

            var draft = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(question, "Don't keep anything")}]", "I've deleted your answers");
            Assert.All(draft, l => Assert.StartsWith("[dm alice]", l, StringComparison.Ordinal));
            Assert.Contains(draft, l => l.Contains("The retreat leader said touch was part of my healing", StringComparison.Ordinal));
            Assert.Contains(draft, l => l.Contains("[ ] Texts, chats or emails", StringComparison.Ordinal));
            Assert.Equal(0, await bot.EndInputAsync());
        }

        Assert.Equal(0, CountRows("Drafts"));
    }

    [Fact]
    public async Task A_survivor_is_heard_queued_claimed_relayed_both_ways_and_closed_without_the_channel_seeing_words()
    {
        await using var bot = Start();

        var welcome = await bot.SayAsync($"alice (dm): {Disclosure}", "Stop and delete this");
        Assert.Contains(welcome, l => l.StartsWith("[dm alice]", StringComparison.Ordinal) && l.Contains("not an emergency service", StringComparison.Ordinal));

        var queued = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(welcome, "Yes, use a made-up name")}]", "Claim #1");
        Assert.Contains(queued, l => l.StartsWith("[only alice] Saved. A volunteer will see this", StringComparison.Ordinal));
        var channel = queued.Where(l => l.StartsWith("[volunteers]", StringComparison.Ordinal)).ToList();
        Assert.Contains(channel, l => l.Contains("#1", StringComparison.Ordinal));
        Assert.DoesNotContain(channel, l => l.Contains("yoga", StringComparison.OrdinalIgnoreCase) || l.Contains("alice", StringComparison.Ordinal));

        var claimed = await bot.SayAsync($"vol: [{ConsoleProcess.ChoiceNumber(queued, "Claim #1")}]", "was claimed by vol");
        Assert.Contains(claimed, l => l.StartsWith("[dm vol]", StringComparison.Ordinal) && l.Contains(Disclosure, StringComparison.Ordinal));
        Assert.Contains(claimed, l => l.StartsWith("[dm alice] A volunteer has joined", StringComparison.Ordinal));
        Assert.DoesNotContain(claimed, l => l.StartsWith("[volunteers]", StringComparison.Ordinal) && l.Contains("yoga", StringComparison.Ordinal));

        var toAlice = await bot.SayAsync("vol (dm): I'm so sorry. You deserved safety in that class.", "You deserved safety");
        Assert.Equal("[dm alice] Volunteer: I'm so sorry. You deserved safety in that class.", toAlice[^1]);
        var toVol = await bot.SayAsync("alice (dm): thank you for believing me", "thank you for believing me");
        Assert.StartsWith("[dm vol] #1 ", toVol[^1], StringComparison.Ordinal);

        var closed = await bot.SayAsync("vol: /close supported", "#1 is closed.");
        Assert.Contains(closed, l => l.StartsWith("[dm alice] The volunteer has closed this conversation", StringComparison.Ordinal));
        Assert.Equal(0, await bot.EndInputAsync());

        // Standard output carries only the protocol: every line begins with its audience.
        Assert.All(bot.Seen, l => Assert.Matches(@"^\[(only \S+|dm \S+|volunteers|console)\]", l));
    }

    [Fact]
    public async Task A_released_conversation_is_reclaimed_by_another_volunteer_with_its_history()
    {
        await using var bot = Start();
        await bot.DiscloseAsync("alice", Disclosure);
        await bot.SayAsync("vol: /claim 1", "was claimed by vol");
        await bot.SayAsync("vol (dm): Hello, I'm here.", "Volunteer: Hello, I'm here.");

        var released = await bot.SayAsync("vol: /release", "Claim #1");
        Assert.Contains(released, l => l.StartsWith("[dm alice] Your volunteer had to step away", StringComparison.Ordinal));

        var reclaimed = await bot.SayAsync("sam: /claim", "was claimed by sam");
        Assert.Contains(reclaimed, l => l.StartsWith("[dm sam]", StringComparison.Ordinal) && l.Contains("Hello, I'm here.", StringComparison.Ordinal));
        var relayed = await bot.SayAsync("alice (dm): still here", "still here");
        Assert.StartsWith("[dm sam]", relayed[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_deletes_everything_and_says_what_it_deleted()
    {
        await using var bot = Start();
        await bot.DiscloseAsync("alice", Disclosure);

        var forgot = await bot.SayAsync("alice: /forget", "Deleted:");
        Assert.Contains("1 conversation(s), 1 message(s)", forgot[^1], StringComparison.Ordinal);
        var queue = await bot.SayAsync("vol: /queue", "[only vol]");
        Assert.Contains("Nobody is waiting", queue[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_trying_to_claim_is_politely_refused_and_learns_nothing()
    {
        await using var bot = Start();
        await bot.DiscloseAsync("alice", Disclosure);

        var refused = await bot.SayAsync("mallory: /claim 1", "[only mallory]");
        Assert.Equal("[only mallory] That command is for the volunteer team. If you'd like to talk with a volunteer, send me a direct message.", refused[^1]);
        var pressed = await bot.SayAsync("mallory: [1]", "[only mallory]");
        Assert.DoesNotContain("#1", pressed[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Killed_right_after_the_survivor_is_told_a_volunteer_will_see_it_the_conversation_survives_a_restart()
    {
        await using (var first = Start())
        {
            var welcome = await first.SayAsync($"alice (dm): {Disclosure}", "Stop and delete this");
            await first.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(welcome, "Yes, use a made-up name")}]", "A volunteer will see this");
            first.Kill();
        }

        await using var second = Start();
        var queue = await second.SayAsync("vol: /queue", "Claim #1");
        Assert.Contains(queue, l => l.Contains("#1", StringComparison.Ordinal));
        var claimed = await second.SayAsync("vol: /claim 1", "was claimed by vol");
        Assert.Contains(claimed, l => l.Contains(Disclosure, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SIGTERM_stops_the_bot_cleanly_and_closes_the_database()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using (var bot = Start())
        {
            var welcome = await bot.SayAsync($"alice (dm): {Disclosure}", "Stop and delete this");
            await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(welcome, "Yes, use a made-up name")}]", "A volunteer will see this");

            Assert.Equal(0, await bot.TerminateAsync());
        }

        // A clean close checkpoints the write-ahead log into the database file and removes it.
        Assert.False(File.Exists(Path.Combine(_folder.Path, "supportbot.db-wal")));
        await using var again = Start();
        Assert.Contains("#1", (await again.SayAsync("vol: /queue", "Claim #1"))[^2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neither_the_encryption_key_nor_what_people_write_reaches_the_logs_even_at_trace_level()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var bot = ConsoleProcess.Start(_folder.Path, $"--Storage:EncryptionKey={key}", "--Logging:LogLevel:Default=Trace", "--Console:ShowLogs=true");

        await bot.DiscloseAsync("alice", Disclosure);
        await bot.SayAsync("vol: /claim", "was claimed by vol");
        await bot.SayAsync("vol (dm): Words only alice may read", "Words only alice may read");
        await bot.SayAsync("vol: /note A note for volunteers only", "Note saved");
        Assert.Equal(0, await bot.EndInputAsync());

        Assert.Contains("claimed", bot.Errors, StringComparison.Ordinal);
        foreach (var secret in new[] { key, "yoga teacher", "Words only alice", "A note for volunteers" })
        {
            Assert.DoesNotContain(secret, bot.Errors, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(_folder.Path, "supportbot.key")), "a configured key must be used instead of a key file");
    }

    [Fact]
    public async Task Lines_the_console_cannot_read_get_a_clear_answer_and_the_bot_keeps_going()
    {
        await using var bot = Start();

        Assert.StartsWith("[console] I could not read", (await bot.SayAsync("no colon here", "[console]"))[^1], StringComparison.Ordinal);
        Assert.Contains("nothing to choose", (await bot.SayAsync("alice: [3]", "[only alice]"))[^1], StringComparison.Ordinal);
        Assert.Contains("/help", (await bot.SayAsync("alice: /nonsense", "[only alice]"))[^1], StringComparison.Ordinal);
        Assert.Contains("(dm)", (await bot.SayAsync("alice: hello everyone", "[only alice]"))[^1], StringComparison.Ordinal);
        await bot.SayAsync("alice: /help", "What I can do");
    }

    [Fact]
    public async Task A_broken_content_file_stops_start_up_with_the_file_and_line()
    {
        var prompts = Path.Combine(_folder.Path, "prompts");
        CopyDirectory(TestPaths.Prompts, prompts);
        File.WriteAllText(Path.Combine(prompts, "messages.json"), "{\n  \"welcome\": \"hi\",\n  \"wellcome\": \"typo\"\n}\n");

        await using var bot = ConsoleProcess.Start(_folder.Path, $"--Content:Path={prompts}");
        var exit = await bot.EndInputAsync();

        Assert.Equal(2, exit);
        Assert.Contains("messages.json", bot.Errors, StringComparison.Ordinal);
        Assert.Contains("line 3", bot.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Storage:EncryptionKey=not-base64!", "Storage:EncryptionKey is not valid base64")]
    [InlineData("--Storage:EncryptionKey=c2hvcnQ=", "Storage:EncryptionKey must decode to exactly 32 bytes")]
    [InlineData("--Storage:RetentionDays=0", "Storage:RetentionDays must be at least 1")]
    public async Task Bad_configuration_stops_start_up_with_a_message_that_names_the_key(string setting, string message)
    {
        await using var bot = ConsoleProcess.Start(_folder.Path, setting);
        var exit = await bot.EndInputAsync();

        Assert.Equal(2, exit);
        Assert.Contains("SupportBot cannot start: " + message, bot.Errors, StringComparison.Ordinal);
        Assert.Empty(bot.Unread());
    }

    private long CountRows(string table)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder.Path, "supportbot.db")};Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}
