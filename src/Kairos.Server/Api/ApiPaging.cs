namespace Kairos.Server.Api;

/// <summary>
/// The <c>limit</c> of list endpoints: how many items one page holds. Jobs come at most
/// <see cref="MaxJobs"/> a page (each carries its triggers); runs and events at most
/// <see cref="MaxRecords"/>, the most the client reads in one query.
/// </summary>
internal static class ApiPaging
{
    public const int MaxJobs = 1000;
    public const int MaxRecords = 10_000;

    public static int Limit(int? limit, int defaultLimit, int maxLimit) =>
        limit switch
        {
            null => defaultLimit,
            >= 1 when limit <= maxLimit => limit.Value,
            _ => throw new KairosValidationException($"limit {limit} is out of range: ask for 1 to {maxLimit} items and page on with the cursor"),
        };
}
