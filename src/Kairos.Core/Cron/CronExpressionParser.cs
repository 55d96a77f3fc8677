namespace Kairos.Cron;

/// <summary>The six fields of a parsed expression (a 5-field expression gets second = "0").</summary>
internal sealed record CronFields(
    CronField Second,
    CronField Minute,
    CronField Hour,
    CronField DayOfMonth,
    CronField Month,
    CronField DayOfWeek,
    bool HasSeconds);

/// <summary>Splits an expression into fields, expands macros and checks the field count.</summary>
internal static class CronExpressionParser
{
    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    public static CronFields Parse(string expression)
    {
        string text = expression.Trim();
        if (text.Length == 0)
        {
            throw CronFormatException.ForExpression("cron expression is empty");
        }

        if (text[0] == '@')
        {
            if (!Macros.TryGetValue(text, out string? expanded))
            {
                throw CronFormatException.ForExpression(
                    $"unknown macro '{text}'; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly");
            }

            text = expanded;
        }

        string[] parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5 && parts.Length != 6)
        {
            throw CronFormatException.ForExpression(
                $"cron expression '{expression}' has {parts.Length} field{(parts.Length == 1 ? "" : "s")}; expected 5 " +
                "(minute hour day-of-month month day-of-week) or 6 (second minute hour day-of-month month day-of-week)");
        }

        bool hasSeconds = parts.Length == 6;
        int i = hasSeconds ? 1 : 0;
        CronField second = CronFieldParser.Parse(hasSeconds ? parts[0] : "0", CronFieldKind.Second);
        return new CronFields(
            second,
            CronFieldParser.Parse(parts[i], CronFieldKind.Minute),
            CronFieldParser.Parse(parts[i + 1], CronFieldKind.Hour),
            CronFieldParser.Parse(parts[i + 2], CronFieldKind.DayOfMonth),
            CronFieldParser.Parse(parts[i + 3], CronFieldKind.Month),
            CronFieldParser.Parse(parts[i + 4], CronFieldKind.DayOfWeek),
            hasSeconds);
    }
}
