using Dapper;
using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>A row whose ciphertext no longer opens (a damaged page, a bad restore) is refused, never half-applied, and hides nothing else.</summary>
public abstract class UnreadableRowTests(Store store) : IDisposable
{
    private readonly CoreHarness _core = new(store: store);
    private readonly Actor _vol = Say.Volunteer("vol");

    public void Dispose() => _core.Dispose();

    [StoreFact]
    public async Task A_damaged_shared_name_leaves_the_rest_of_the_queue_visible_and_its_claim_changes_nothing()
    {
        var before = await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "first story");
        var first = await _core.Bot.HandleAsync(Say.Dm(Say.Member("cid"), "second story"), default);
        var named = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:name:", StringComparison.Ordinal));
        await _core.Bot.HandleAsync(Say.Press(Say.Member("cid"), named.ActionId), default);
        var damaged = long.Parse(named.ActionId.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);
        var after = await _core.Bot.QueueDisclosureAsync(Say.Member("dee"), "third story");
        Damage("SharedName", "Conversations", "Id", damaged);

        var queue = await _core.Bot.HandleAsync(Say.Command(_vol, "queue"), default);
        var claim = await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{damaged}"), default);

        var listed = queue.OnlyTo(_vol).Text();
        Assert.Contains($"#{before}", listed, StringComparison.Ordinal);
        Assert.Contains($"#{after}", listed, StringComparison.Ordinal);
        Assert.DoesNotContain($"#{damaged} ", listed, StringComparison.Ordinal);
        Assert.Equal(Fill(_core.Content.Messages.ConversationUnreadable, damaged), claim.Single().Text().Trim());
        Assert.Equal("Queued", Status(damaged));
        Assert.Empty(await _core.Get<ConversationStore>().AuditTrailAsync(damaged, default));
        Assert.Empty(await _core.Get<ConversationStore>().HeldByAsync(_vol.Address, default));
    }

    [StoreFact]
    public async Task A_damaged_message_refuses_the_claim_whole_and_the_next_conversation_can_still_be_claimed()
    {
        var damaged = await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "first story");
        var other = await _core.Bot.QueueDisclosureAsync(Say.Member("cid"), "second story");
        Damage("Body", "Messages", "ConversationId", damaged);

        var refused = await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{damaged}"), default);
        var claimed = await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{other}"), default);

        Assert.Equal(Fill(_core.Content.Messages.ConversationUnreadable, damaged), refused.Single().Text().Trim());
        Assert.Equal("Queued", Status(damaged));
        Assert.Empty(await _core.Get<ConversationStore>().AuditTrailAsync(damaged, default));
        Assert.Contains("second story", claimed.DmTo(_vol).Text(), StringComparison.Ordinal);
        Assert.Equal(ConversationStatus.Claimed, (await _core.Get<ConversationStore>().GetAsync(other, default))!.Status);
    }

    [StoreFact]
    public async Task Releasing_or_queueing_a_damaged_conversation_commits_nothing_and_does_not_say_it_worked()
    {
        var held = await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "first story");
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{held}"), default);
        var cid = Say.Member("cid");
        var first = await _core.Bot.HandleAsync(Say.Dm(cid, "second story"), default);
        var consent = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        var waiting = long.Parse(consent.ActionId.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);
        Damage("SurvivorSealed", "Conversations", "Id", held);
        Damage("SurvivorSealed", "Conversations", "Id", waiting);

        var release = await _core.Bot.HandleAsync(Say.Command(_vol, "release", held.ToString(System.Globalization.CultureInfo.InvariantCulture)), default);
        var queued = await _core.Bot.HandleAsync(Say.Press(cid, consent.ActionId), default);

        var released = Fill(_core.Content.Messages.Released, held);
        Assert.DoesNotContain(release, r => r.Text().Contains(released, StringComparison.Ordinal));
        Assert.Equal("Claimed", Status(held));
        Assert.DoesNotContain(await _core.Get<ConversationStore>().AuditTrailAsync(held, default), a => a.Action == "release");
        Assert.DoesNotContain(queued, r => r.Audience is Audience.Volunteers);
        Assert.Equal("Consent", Status(waiting));
    }

    [StoreFact]
    public async Task A_damaged_complaint_draft_does_not_block_the_persons_direct_messages()
    {
        var alice = Say.Member("alice");
        await _core.Get<DraftStore>().SaveAsync(alice.Address, DraftStep.Evidence, new DraftAnswers(What: "kept words"), kept: false, default);
        Damage("Answers", "Drafts", "Kept", 0);

        var first = await _core.Bot.HandleAsync(Say.Dm(alice, "I need to talk to someone"), default);

        Assert.Contains(first.Single().Choices(), c => c.ActionId.StartsWith("consent:", StringComparison.Ordinal));
        Assert.Contains("cannot be decrypted", _core.Logs.AllText, StringComparison.Ordinal);
    }

    private static string Fill(string template, long id) => template.Replace("{Id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Flips one bit of the stored ciphertext, as a damaged disk would.</summary>
    private void Damage(string column, string table, string key, long id)
    {
        using var db = _core.OpenRaw();
        var blob = db.ExecuteScalar<byte[]>($"SELECT {column} FROM {table} WHERE {key} = @id LIMIT 1", new { id })!;
        blob[^1] ^= 1;
        db.Execute($"UPDATE {table} SET {column} = @blob WHERE {key} = @id", new { blob, id });
    }

    private string Status(long id)
    {
        using var db = _core.OpenRaw();
        return db.ExecuteScalar<string>("SELECT Status FROM Conversations WHERE Id = @id", new { id })!;
    }
}

public sealed class UnreadableRowOnSqlite() : UnreadableRowTests(Store.Sqlite);

public sealed class UnreadableRowOnPostgres() : UnreadableRowTests(Store.Postgres), IOnPostgres;
