using SupportBot.Core.Content;

namespace SupportBot.Operations;

/// <summary>
/// Stops the bot when its triage files, read while it starts (<see cref="ContentCatalog.LoadDeferringTriage"/>), turn
/// out broken: a bot that cannot read direct messages for risk must not run. Program then exits with 2 and names the
/// file and line, as for any broken content file.
/// </summary>
internal sealed class TriageLoading(ContentCatalog content, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await content.TriageLoaded.WaitAsync(stoppingToken);
        }
        catch (ContentException)
        {
            lifetime.StopApplication();
        }
        catch (OperationCanceledException)
        {
            // Stopping before the detector was built: nothing to report.
        }
    }
}
