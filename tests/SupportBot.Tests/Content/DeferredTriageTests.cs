using SupportBot.Core.Content;
using SupportBot.Core.Triage;

namespace SupportBot.Tests.Content;

/// <summary>
/// The bot builds its triage detector while it starts (ContentCatalog.LoadDeferringTriage): a message read in the
/// meantime waits for the detector instead of going unread, and broken triage files are still reported by name and line.
/// </summary>
public sealed class DeferredTriageTests
{
    private const string BrokenModel = "{\n  \"classes\": [\"none\"],\n  \"threshold\": 0.5,\n  \"bias\": [0],\n  \"top\": {},\n  \"weights\": {}\n}\n";

    [Fact]
    public void A_message_read_as_soon_as_the_content_is_loaded_is_read_for_risk()
    {
        var catalog = ContentCatalog.LoadDeferringTriage(PromptsFolder.Real);

        var risk = catalog.Triage.Assess("i wanna kms");

        Assert.Contains(risk.Findings, f => f.Kind == RiskKind.Suicide);
        Assert.True(catalog.TriageLoaded.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_broken_model_file_is_reported_with_its_name_and_line_once_the_detector_is_built()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("triage-model.json");
        File.WriteAllText(file, BrokenModel);

        var catalog = ContentCatalog.LoadDeferringTriage(folder.Path);
        var error = await Assert.ThrowsAsync<ContentException>(() => catalog.TriageLoaded);

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path)).Message);
    }
}
