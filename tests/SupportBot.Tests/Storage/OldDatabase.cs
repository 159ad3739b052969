using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Core.Storage;

namespace SupportBot.Tests.Storage;

/// <summary>
/// A database as the release before hashed ids wrote it (schema version 2, plain "Platform:id" values), with
/// one claimed conversation, one waiting, a note, an audit trail, a volunteer focus, a kept complaint draft and a
/// processed event whose id (a Slack fallback) holds the volunteer's id.
/// The schema is the shipped migrations 1 and 2, which are never edited.
/// </summary>
internal static class OldDatabase
{
    public const string Survivor = "Discord:555000111222333444";
    public const string Volunteer = "Slack:UOLDVOL42";
    public const string Waiting = "Console:oldbea";
    public const string Words = "The retreat leader said the hug was part of the healing";
    public const string DraftWords = "He asked me to write a glowing testimonial";

    public static void Create(string path, byte[] key)
    {
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "supportbot.key"), Convert.ToBase64String(key), Encoding.ASCII);
        using var cipher = new MessageCipher(key);
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        db.Execute("PRAGMA journal_mode=WAL;");
        db.Execute("""
            CREATE TABLE Conversations (
                Id INTEGER PRIMARY KEY AUTOINCREMENT, Survivor TEXT NOT NULL, Pseudonym TEXT NOT NULL, SharedName BLOB NULL,
                Status TEXT NOT NULL, Priority INTEGER NOT NULL, CreatedAt INTEGER NOT NULL, QueuedAt INTEGER NULL,
                ClaimedBy TEXT NULL, ClaimedAt INTEGER NULL, ClosedAt INTEGER NULL, Outcome TEXT NULL);
            CREATE INDEX IX_Conversations_Survivor ON Conversations (Survivor);
            CREATE INDEX IX_Conversations_Status ON Conversations (Status, Priority, QueuedAt);
            CREATE TABLE Messages (
                Id INTEGER PRIMARY KEY AUTOINCREMENT, ConversationId INTEGER NOT NULL REFERENCES Conversations (Id) ON DELETE CASCADE,
                Sender TEXT NOT NULL, Body BLOB NOT NULL, SentAt INTEGER NOT NULL);
            CREATE INDEX IX_Messages_Conversation ON Messages (ConversationId);
            CREATE TABLE Notes (
                Id INTEGER PRIMARY KEY AUTOINCREMENT, ConversationId INTEGER NOT NULL REFERENCES Conversations (Id) ON DELETE CASCADE,
                Volunteer TEXT NOT NULL, Body BLOB NOT NULL, WrittenAt INTEGER NOT NULL);
            CREATE TABLE Audit (Id INTEGER PRIMARY KEY AUTOINCREMENT, ConversationId INTEGER NOT NULL, Volunteer TEXT NOT NULL, Action TEXT NOT NULL, At INTEGER NOT NULL);
            CREATE TABLE ProcessedEvents (EventId TEXT PRIMARY KEY, At INTEGER NOT NULL);
            CREATE TABLE VolunteerFocus (Volunteer TEXT PRIMARY KEY, ConversationId INTEGER NOT NULL REFERENCES Conversations (Id) ON DELETE CASCADE);
            CREATE TABLE Drafts (Person TEXT PRIMARY KEY, Step TEXT NOT NULL, Answers BLOB NOT NULL, Kept INTEGER NOT NULL, UpdatedAt INTEGER NOT NULL);
            """);
        var at = new DateTimeOffset(2026, 11, 23, 11, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        db.Execute(
            """
            INSERT INTO Conversations (Id, Survivor, Pseudonym, SharedName, Status, Priority, CreatedAt, QueuedAt, ClaimedBy, ClaimedAt)
            VALUES (1, @Survivor, 'Quiet Heron', @name, 'Claimed', 1, @at, @at, @Volunteer, @at),
                   (2, @Waiting, 'Amber Finch', NULL, 'Queued', 0, @at, @at, NULL, NULL);
            INSERT INTO Messages (ConversationId, Sender, Body, SentAt) VALUES (1, 'Survivor', @body, @at), (2, 'Survivor', @body2, @at);
            INSERT INTO Notes (ConversationId, Volunteer, Body, WrittenAt) VALUES (1, @Volunteer, @note, @at);
            INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (1, @Volunteer, 'claim', @at), (1, @Volunteer, 'read-transcript', @at);
            INSERT INTO VolunteerFocus (Volunteer, ConversationId) VALUES (@Volunteer, 1);
            INSERT INTO Drafts (Person, Step, Answers, Kept, UpdatedAt) VALUES (@Survivor, 'Done', @draft, 1, @at);
            INSERT INTO ProcessedEvents (EventId, At) VALUES ('slack:action:UOLDVOL42:1732357200.000100', @at);
            PRAGMA user_version = 2;
            """,
            new
            {
                Survivor,
                Volunteer,
                Waiting,
                at,
                name = cipher.Encrypt("Rosalind Treharne", "name:1"),
                body = cipher.Encrypt(Words, "message:1"),
                body2 = cipher.Encrypt("waiting words", "message:2"),
                note = cipher.Encrypt("an old note", "note:1"),
                draft = cipher.Encrypt($$"""{"What":"{{DraftWords}}"}""", "draft:" + Survivor),
            });
    }
}
