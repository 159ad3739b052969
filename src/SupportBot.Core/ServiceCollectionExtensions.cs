using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SupportBot.Core.Commands;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Operations;
using SupportBot.Core.Safeguards;
using SupportBot.Core.Storage;
using SupportBot.Core.Timing;

namespace SupportBot.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>The core, given its loaded content: storage, intake, relay, commands and the retention sweep.</summary>
    public static IServiceCollection AddSupportBotCore(this IServiceCollection services, ContentCatalog content)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => o.RetentionDays >= 1, "Storage:RetentionDays must be at least 1.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Path), "Storage:Path must name a file.")
            .Validate(o => o.BusyTimeoutSeconds >= 1, "Storage:BusyTimeoutSeconds must be at least 1.")
            .Validate(o => o.LeaseSeconds >= 3, "Storage:LeaseSeconds must be at least 3.")
            .Validate(o => o.IsSqlite || o.IsPostgres, "Storage:Provider must be 'sqlite' (the default) or 'postgres'.")
            .Validate(o => !o.IsPostgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Storage:ConnectionString is required with Storage:Provider=postgres (e.g. 'Host=db;Database=supportbot;Username=supportbot;Password=...').")
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(content);
        services.AddSingleton(sp => new MessageCipher(MessageCipher.ResolveKey(sp.GetRequiredService<IOptions<StorageOptions>>().Value)));
        services.AddSingleton<PersonIds>();
        services.AddSingleton(sp => new Database(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<MessageCipher>(), sp.GetRequiredService<PersonIds>()));
        services.AddSingleton<ConversationStore>();
        services.AddSingleton<InboxStore>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<BotMetrics>();
        services.AddSingleton<Connections>();
        services.AddSingleton<DraftStore>();
        services.AddSingleton<ComplaintCompanion>();
        services.AddSingleton<Relay>();
        services.AddSingleton<Intake>();
        services.AddSingleton<ReplyRouter>();
        services.AddSingleton<Bot>();
        services.AddSingleton<RetentionSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweep>());
        services.AddSingleton<ClusterLock>();
        services.AddHostedService<InboxLeases>();
        AddSupportTools(services);

        AddCommand<RedFlagsCommand>(services, actions: true);
        AddCommand<ReflectCommand>(services, actions: true);
        AddCommand<ComplaintCommand>(services, actions: true);
        AddCommand<ResourcesCommand>(services, actions: true);
        AddCommand<BoundariesCommand>(services);
        services.AddSingleton(sp => new HelpCommand(sp.GetServices<ISlashCommand>, sp.GetRequiredService<ContentCatalog>()));
        services.AddSingleton<ISlashCommand>(sp => sp.GetRequiredService<HelpCommand>());
        AddCommand<PrivacyCommand>(services);
        AddCommand<ForgetCommand>(services);
        AddCommand<EndCommand>(services, actions: true);
        AddCommand<QueueCommand>(services);
        AddCommand<ClaimCommand>(services, actions: true);
        AddCommand<ReleaseCommand>(services);
        AddCommand<CloseCommand>(services, actions: true);
        AddCommand<NoteCommand>(services);
        services.AddSingleton<IFormHandler>(sp => sp.GetRequiredService<NoteCommand>());
        services.AddSingleton<IActionHandler, NextSteps>();
        services.AddSingleton<IActionHandler>(sp => sp.GetRequiredService<Intake>());
        services.AddSingleton<IActionHandler>(sp => sp.GetRequiredService<Relay>());
        services.AddSingleton<IActionHandler>(sp => sp.GetRequiredService<ComplaintCompanion>());
        AddVolunteerToolkit(services);
        return services;
    }

    /// <summary>Issue 13: blocks and rate limits, coordinators, transfer, care for volunteers, stats.</summary>
    private static void AddVolunteerToolkit(IServiceCollection services)
    {
        services.AddOptions<SafeguardOptions>().BindConfiguration(SafeguardOptions.Section)
            .Validate(o => o.MaxConversationsPerVolunteer >= 0, "Support:MaxConversationsPerVolunteer must be 0 (no limit) or more.")
            .Validate(o => o.DefaultBlockDays >= 1 && o.MaxBlockDays >= o.DefaultBlockDays, "Support:DefaultBlockDays must be at least 1 and at most Support:MaxBlockDays.")
            .Validate(o => o.DirectMessagesPerMinute >= 0 && o.UrgentAlertsPerHour >= 0, "Support:DirectMessagesPerMinute and Support:UrgentAlertsPerHour must be 0 (no limit) or more.")
            .ValidateOnStart();
        services.AddSingleton<BlockStore>();
        services.AddSingleton<TransferStore>();
        services.AddSingleton<StatsStore>();
        services.AddSingleton<PersonLimits>();
        services.AddSingleton<DirectMessageGuard>();
        AddCommand<BlockCommand>(services);
        AddCommand<UnblockCommand>(services, actions: true);
        AddCommand<BlocksCommand>(services);
        AddCommand<TransferCommand>(services, actions: true);
        AddCommand<StatsCommand>(services);
    }

    /// <summary>Issue 13 (snippets, support hours and timers, safeguards): their options, stores, commands and timer.</summary>
    private static void AddSupportTools(IServiceCollection services)
    {
        services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.Section)
            .Validate(o => SupportHours.TryParse(o.Hours, o.TimeZone, out _, out _),
                "Support:Hours should look like 'Mon-Fri 09:00-17:00; Sat 10:00-14:00', and Support:TimeZone be a known time zone id.")
            .Validate(o => o.AlertAfter >= TimeSpan.Zero && o.NudgeAfter >= TimeSpan.Zero && o.AutoCloseAfter >= TimeSpan.Zero,
                "Support:AlertAfter, Support:NudgeAfter and Support:AutoCloseAfter cannot be negative (zero turns one off).")
            .Validate(o => o.CheckEvery >= TimeSpan.FromSeconds(1), "Support:CheckEvery must be at least one second.")
            .ValidateOnStart();
        services.AddSingleton(sp => SupportHours.From(sp.GetRequiredService<IOptions<SupportOptions>>().Value));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AffiliationStore>();
        services.AddSingleton<KeepNothingStore>();
        services.AddSingleton<SupportClockStore>();
        services.AddSingleton<ContactScreen>();
        services.AddSingleton<HeldMessages>();
        services.AddSingleton<SurvivorSafeguards>();
        services.AddSingleton<IActionHandler>(sp => sp.GetRequiredService<SurvivorSafeguards>());
        services.AddSingleton<IFormHandler>(sp => sp.GetRequiredService<SurvivorSafeguards>());
        services.AddSingleton<SupportTimers>();
        services.AddHostedService(sp => sp.GetRequiredService<SupportTimers>());
        AddCommand<SnippetCommand>(services);
        AddCommand<ConfirmCommand>(services, actions: true);
        AddCommand<AffiliationsCommand>(services);
    }

    private static void AddCommand<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(IServiceCollection services, bool actions = false)
        where T : class, ISlashCommand
    {
        services.AddSingleton<T>();
        services.AddSingleton<ISlashCommand>(sp => sp.GetRequiredService<T>());
        if (actions)
        {
            services.AddSingleton(sp => (IActionHandler)sp.GetRequiredService<T>());
        }
    }
}
