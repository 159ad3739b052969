using SupportBot.Core.Content;

namespace SupportBot.Tests.Content;

/// <summary>A broken content file stops start-up with an error that names the file and, for JSON errors, the line.</summary>
public sealed class ContentLoaderTests
{
    private const string SmallChecklist = """
        {
          "title": "Test",
          "helper": "tester",
          "intro": "Hello.",
          "items": [
            { "id": "one", "text": "A sign.", "category": "frame", "severity": "Crossing", "why": "Because.", "source": "Test source" }
          ],
          "taken": "2026-11-23"
        }
        """;

    [Fact]
    public void A_copy_of_the_real_prompts_folder_loads()
    {
        using var folder = PromptsFolder.TempCopy();

        var catalog = ContentCatalog.Load(folder.Path);

        Assert.NotEmpty(catalog.RedFlags);
    }

    [Fact]
    public void Bad_json_throws_ContentException_naming_the_file_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("redflags/therapist.json");
        File.WriteAllText(file, "{\n  \"title\": \"Broken\",\n  \"helper\": oops\n}\n");

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_member_throws_ContentException_naming_the_file_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("redflags/therapist.json");
        File.WriteAllText(file, SmallChecklist.Replace("\"intro\": \"Hello.\",", "\"intro\": \"Hello.\",\n  \"intor\": \"typo\",", StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("intor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_member_throws_ContentException_naming_the_file_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("redflags/therapist.json");
        File.WriteAllText(file, SmallChecklist.Replace(", \"source\": \"Test source\"", "", StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 6", error.Message, StringComparison.Ordinal);
        Assert.Contains("source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_where_text_is_required_throws_ContentException_naming_the_file_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("redflags/therapist.json");
        File.WriteAllText(file, SmallChecklist.Replace("\"Hello.\"", "null", StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_throws_ContentException_naming_the_file()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("crisis-lines.json");
        File.Delete(file);

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        using var folder = PromptsFolder.TempCopy();
        File.WriteAllText(folder.File("redflags/extra.json"),
            "// an admin's note\n" + SmallChecklist.Replace("\"Test source\" }", "\"Test source\", },", StringComparison.Ordinal));

        var catalog = ContentCatalog.Load(folder.Path);

        Assert.Equal("Test", catalog.FindRedFlags("extra")?.Title);
    }

    [Fact]
    public void The_file_name_is_the_key_and_lookups_ignore_case()
    {
        using var folder = PromptsFolder.TempCopy();
        File.WriteAllText(folder.File("redflags/massage.json"), SmallChecklist);

        var catalog = ContentCatalog.Load(folder.Path);

        Assert.Equal("massage", catalog.FindRedFlags(" Massage ")?.Key);
    }

    [Theory]
    [InlineData("\"category\": \"frame\"", "\"category\": \"framing\"", "category 'framing'", 6)]
    [InlineData("\"severity\": \"Crossing\"", "\"severity\": 7", "severity 7", 6)]
    [InlineData("\"id\": \"one\"", "\"id\": \"One Two\"", "lower-case-with-dashes", 6)]
    [InlineData("\"source\": \"Test source\"", "\"source\": \"  \"", "has no source", 6)]
    [InlineData("\"why\": \"Because.\"", "\"why\": \"\"", "why is empty", 6)]
    [InlineData("\"taken\": \"2026-11-23\"", "\"taken\": \"last week\"", "should be a date", 8)]
    [InlineData("\"intro\": \"Hello.\"", "\"intro\": \" \"", "intro is empty", 4)]
    public void A_red_flag_that_breaks_a_rule_is_rejected_naming_the_file_and_line(string good, string bad, string expected, int line)
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("redflags/therapist.json");
        File.WriteAllText(file, SmallChecklist.Replace(good, bad, StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.StartsWith($"{file} line {line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"phone\": \"116 123\"", "\"phone\": \"116-123\"", "phone '116-123'")]
    [InlineData("\"phone\": \"116 123\"", "\"phone\": \"call 116 123\"", "phone 'call 116 123'")]
    [InlineData("\"text\": \"741741\"", "\"text\": \"HOME to 741741\"", "text 'HOME to 741741'")]
    public void A_malformed_crisis_number_is_rejected(string good, string bad, string expected)
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("crisis-lines.json");
        var text = File.ReadAllText(file);
        Assert.Contains(good, text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace(good, bad, StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        var line = File.ReadLines(file).ToList().FindIndex(l => l.Contains(bad, StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"{file} line {line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_route_for_an_unknown_profession_is_rejected()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("complaints/uk.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"profession\": \"nurse\"", "\"profession\": \"nurses\"", StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        var line = File.ReadLines(file).ToList().FindIndex(l => l.Contains("\"nurses\"", StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"{file} line {line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("'nurses'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_key_used_twice_in_a_country_is_rejected()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("complaints/us.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("{\"key\": \"vt\", \"name\": \"Vermont\"}", "{\"key\": \"wy\", \"name\": \"Vermont\"}", StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("'wy'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_route_for_an_unknown_profession_is_rejected_with_its_state()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("complaints/ca.json");
        var text = File.ReadAllText(file);
        var ontario = text.LastIndexOf("\"profession\": \"psychologist\"", StringComparison.Ordinal); // the country's route comes first
        File.WriteAllText(file, text.Remove(ontario, "\"profession\": \"psychologist\"".Length).Insert(ontario, "\"profession\": \"psychologists\""));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains("subregion 'on'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'psychologists'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_criminal_entry_without_a_source_is_rejected()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("complaints/us.json");
        var text = File.ReadAllText(file);
        var start = text.IndexOf(", \"source\": \"Wisconsin Statutes 940.22(2)", StringComparison.Ordinal);
        var end = text.IndexOf('}', start);
        File.WriteAllText(file, text.Remove(start, end - start));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains("subregion 'wi'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_country_file_without_subregions_still_loads()
    {
        var uk = PromptsFolder.LoadReal().FindComplaint("uk")!;

        Assert.Null(uk.Subregions);
        Assert.Empty(uk.Parts);
        Assert.NotNull(uk.RouteFor("psychologist", null));
    }

    [Fact]
    public void An_empty_guidance_text_is_rejected_naming_its_list_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("complaints/nz.json");
        var text = File.ReadAllText(file);
        var start = text.IndexOf("\"civil\": [", StringComparison.Ordinal);
        var textStart = text.IndexOf("\"text\": \"", start, StringComparison.Ordinal) + "\"text\": \"".Length;
        var textEnd = text.IndexOf('"', textStart);
        File.WriteAllText(file, text[..textStart] + text[textEnd..]);

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        var line = File.ReadLines(file).ToList().FindIndex(l => l.Contains("\"civil\"", StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"{file} line {line}: civil entry 1 is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_triage_rule_with_an_unknown_class_is_rejected_naming_the_file_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("triage.json");
        var text = File.ReadAllText(file).Replace("\"kill my? @self\"", "\"kill my? @selves\"", StringComparison.Ordinal);
        File.WriteAllText(file, text);

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        var line = File.ReadLines(file).ToList().FindIndex(l => l.Contains("@selves", StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"{file} line {line}: rule \"kill-myself\" pattern", error.Message, StringComparison.Ordinal);
        Assert.Contains("'@selves' is not defined", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_triage_rule_of_an_unknown_kind_is_rejected_naming_the_file_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("triage.json");
        var text = File.ReadAllText(file).Replace("\"id\": \"noose\", \"kind\": \"means\"", "\"id\": \"noose\", \"kind\": \"rope\"", StringComparison.Ordinal);
        File.WriteAllText(file, text);

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        var line = File.ReadLines(file).ToList().FindIndex(l => l.Contains("\"noose\"", StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"{file} line {line}: rule \"noose\" has kind \"rope\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_in_triage_json_is_rejected_with_its_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("triage.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"negationReach\"", "\"negationReech\"", StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.StartsWith($"{file} line ", error.Message, StringComparison.Ordinal);
        Assert.Contains("negationReech", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_reflection_prompt_is_rejected()
    {
        using var folder = PromptsFolder.TempCopy();
        File.WriteAllText(folder.File("reflections/feelings.json"), "{ \"title\": \"T\", \"intro\": \"I.\", \"prompts\": [\"Fine?\", \"\"] }");

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains("reflections/feelings.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("prompt 2", error.Message, StringComparison.Ordinal);
    }
}
