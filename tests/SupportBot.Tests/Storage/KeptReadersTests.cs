using Dapper;
using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Storage;

/// <summary>
/// The hot reads (is this person blocked, their complaint draft, a conversation's place in the queue) run on kept SQLite
/// connections whose statements stay compiled (<see cref="Database.OpenReaderAsync"/>). A kept reader must answer as a
/// fresh connection would: it sees every commit made after its last read, and it never keeps a transaction open.
/// </summary>
public sealed class KeptReadersTests : IDisposable
{
    private readonly CoreHarness _core = new();
    private readonly Actor _survivor = Say.Member("rowan");

    private Database Database => _core.Get<Database>();

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task A_block_placed_after_a_kept_reader_said_not_blocked_is_seen_at_the_next_message()
    {
        var first = await _core.Bot.HandleAsync(Say.Dm(_survivor, "my coach keeps asking me to meet outside sessions"), default);
        var id = long.Parse(first.Single().Choices().First(c => c.ActionId.StartsWith("consent:", StringComparison.Ordinal)).ActionId.Split(':')[2],
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(Database.IdleReaders, 1, Database.MaxIdleReaders);

        await _core.Get<BlockStore>().BlockAsync(id, Say.Volunteer("vol"), _core.Clock.GetUtcNow().AddDays(1), null, default);
        var after = await _core.Bot.HandleAsync(Say.Dm(_survivor, "are you still there?"), default);

        Assert.Equal(_core.Content.Messages.BlockedNotice, after.Single().Text().Trim());
    }

    [Fact]
    public async Task A_kept_reader_is_lent_again_with_its_statement_compiled_and_reads_the_newest_draft()
    {
        var drafts = _core.Get<DraftStore>();
        Assert.Null(await drafts.GetAsync(_survivor.Address, default));
        PreparedStatements kept;
        await using (var reader = await Database.OpenReaderAsync(default))
        {
            kept = Assert.IsType<PreparedStatements>(reader);
        }

        await drafts.SaveAsync(_survivor.Address, DraftStep.When, new DraftAnswers(What: "sessions moved to his flat"), kept: false, default);
        var draft = await drafts.GetAsync(_survivor.Address, default);

        Assert.Equal(DraftStep.When, draft?.Step);
        Assert.Equal("sessions moved to his flat", draft?.Answers.What);
        await using var again = await Database.OpenReaderAsync(default);
        Assert.Same(kept, again);
        Assert.True(kept.Kept >= 1, "the draft read's statement stays compiled on the kept reader");
    }

    [Fact]
    public async Task A_reader_given_back_inside_a_transaction_is_closed_not_lent_again()
    {
        var reader = await Database.OpenReaderAsync(default);
        var transaction = await reader.BeginTransactionAsync();
        Assert.Equal(1L, await reader.ExecuteScalarAsync<long>("SELECT 1", transaction: transaction));
        var idleBefore = Database.IdleReaders;

        await reader.DisposeAsync();

        Assert.Equal(idleBefore, Database.IdleReaders);
        await using var next = await Database.OpenReaderAsync(default);
        Assert.NotSame(reader, next);
    }

    [Fact]
    public async Task Many_reads_at_once_all_answer_and_at_most_a_few_readers_stay_open()
    {
        var people = Enumerable.Range(0, 64).Select(i => Say.Member($"person{i}").Address).ToList();

        var checks = await Task.WhenAll(people.Select(p => Task.Run(() => _core.Get<BlockStore>().CheckAsync(p, default))));

        Assert.All(checks, c => Assert.Equal(BlockCheck.NotBlocked, c));
        Assert.InRange(Database.IdleReaders, 1, Database.MaxIdleReaders);
    }
}
