namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What <see cref="KairosServiceCollectionExtensions.AddKairos(IServiceCollection)"/> returns: the
/// place to choose a store (<c>UseSqlite</c>, <c>UsePostgres</c>), set options and declare handlers,
/// pollers and jobs.
/// </summary>
/// <example>
/// <code>
/// services.AddKairos()
///     .UseSqlite("kairos.db")
///     .AddJob&lt;ReportHandler&gt;("weekday-report", j => j.Cron("0 9 * * MON-FRI", "Europe/Paris").Retry(5));
/// </code>
/// </example>
public interface IKairosBuilder
{
    /// <summary>The services Kairos was added to.</summary>
    IServiceCollection Services { get; }
}
