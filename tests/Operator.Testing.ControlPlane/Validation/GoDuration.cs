using System.Globalization;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>Go <c>time.ParseDuration</c> syntax: <c>90s</c>, <c>1h30m</c>, <c>1.5h</c>, <c>300ms</c>, <c>-2m</c>.</summary>
internal static partial class GoDuration
{
    [GeneratedRegex(@"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")]
    private static partial Regex Part();

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text;
        var negative = false;
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        var position = 0;
        double ticks = 0;
        foreach (Match m in Part().Matches(s))
        {
            if (m.Index != position || m.Groups[1].Value.Length == 0 || m.Groups[1].Value == ".")
            {
                return false;
            }

            var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += number * m.Groups[2].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            position = m.Index + m.Length;
        }

        if (position != s.Length)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(negative ? -ticks : ticks));
        return true;
    }
}
