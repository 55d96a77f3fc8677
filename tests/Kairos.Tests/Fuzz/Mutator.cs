using System.Globalization;
using System.Text;

namespace Kairos.Tests.Fuzz;

/// <summary>
/// Seeded mutations of valid inputs: characters deleted, repeated, swapped for tokens that broke
/// parsers before (Unicode digits, huge numbers, nulls, unbalanced brackets, control characters),
/// and slices copied elsewhere. CI runs a fixed seed and a few hundred cases per target;
/// <c>KAIROS_FUZZ_ITERATIONS=N</c> runs N instead and <c>KAIROS_FUZZ_SEED=S</c> another sequence.
/// A failure names its seed and case so it can be replayed.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly string[] Tokens =
    [
        "٣", "०", "𝟘", "99999999999", "-1", "0", "1e400", "9223372036854775808", "NaN", "null", "true", "\"\"", "\"",
        "{", "}", "[", "]", ",", ":", "\\", "\\u0000", "\0", "\n", "\t", " ", "*", "**", "?", "#", "L", "W", "/", "..", "-", "$gt",
        "{{", "}}", "{{payload}}", "{{payload.a.b}}", "&a", "*a", "---", "'", "!!binary", "Europe", "ms", "d", "é", "\u202e", "\uffff",
        "10675199.02:48:05.4775807", "60.00:00:00", "-00:00:01",
    ];

    private readonly Random _random = new(seed);

    public int Seed => seed;

    /// <summary>Cases per target: a few hundred in CI, more when asked.</summary>
    public static int Iterations(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("KAIROS_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : ciDefault;

    /// <summary>The fixed seed of CI, or <c>KAIROS_FUZZ_SEED</c>.</summary>
    public static int BaseSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("KAIROS_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20261207;

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary><paramref name="valid"/> with one to four mutations.</summary>
    public string Mutate(string valid)
    {
        var text = new StringBuilder(valid);
        for (var n = _random.Next(1, 5); n > 0; n--)
        {
            var at = _random.Next(text.Length + 1);
            switch (_random.Next(5))
            {
                case 0 when text.Length > 0:
                    text.Remove(Math.Min(at, text.Length - 1), Math.Min(_random.Next(1, 8), text.Length - Math.Min(at, text.Length - 1)));
                    break;
                case 1:
                    text.Insert(at, Pick(Tokens));
                    break;
                case 2 when text.Length > 0:
                    var start = _random.Next(text.Length);
                    var slice = text.ToString(start, Math.Min(_random.Next(1, 40), text.Length - start));
                    text.Insert(at, string.Concat(Enumerable.Repeat(slice, _random.Next(1, 4))));
                    break;
                case 3:
                    text.Insert(at, (char)_random.Next(0, 0x3000));
                    break;
                default:
                    if (text.Length > 0)
                    {
                        var i = Math.Min(at, text.Length - 1);
                        text[i] = Pick(Tokens)[0];
                    }
                    break;
            }
        }
        return text.ToString();
    }
}
