using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// A duration in Kubernetes/Go syntax (<c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>1.5h</c>).
/// </summary>
/// <remarks>
/// The original text is kept, and a value that does not parse is kept too (with
/// <see cref="Value"/> null) instead of failing deserialization: one malformed field must
/// surface as a validation error on that workload, never as an exception that stops the
/// operator from reading the object at all.
/// </remarks>
[JsonConverter(typeof(KubeDurationJsonConverter))]
public sealed class KubeDuration : IEquatable<KubeDuration>
{
    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("ns", 0.01m),
        ("us", 10m),
        ("µs", 10m),
        ("μs", 10m),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    private KubeDuration(string text, TimeSpan? value)
    {
        Text = text;
        Value = value;
    }

    /// <summary>The text as written.</summary>
    public string Text { get; }

    /// <summary>The parsed value, or null when <see cref="Text"/> is not a valid duration.</summary>
    public TimeSpan? Value { get; }

    /// <summary>Wraps any text; never throws. Check <see cref="Value"/> before use.</summary>
    public static KubeDuration FromText(string text) =>
        new(text, TryParse(text, out var value) ? value : null);

    /// <summary>Parses Go duration syntax.</summary>
    /// <exception cref="FormatException">The text is not a Go duration.</exception>
    public static KubeDuration Parse(string text) =>
        TryParse(text, out var value)
            ? new KubeDuration(text, value)
            : throw new FormatException($"'{text}' is not a duration: use Go syntax such as 90s, 10m or 1h30m");

    /// <summary>Wraps a <see cref="TimeSpan"/>, written in the shortest Go form (1h30m, 90s is written 1m30s).</summary>
    public static KubeDuration FromTimeSpan(TimeSpan value) => new(Format(value), value);

    /// <summary>Parses Go duration syntax: an optional sign, then one or more decimal numbers each with a unit (ns, us, µs, ms, s, m, h).</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        decimal ticks = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            var digits = 0;
            var seenDot = false;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || (s[numberLength] == '.' && !seenDot)))
            {
                if (s[numberLength] == '.')
                {
                    seenDot = true;
                }
                else
                {
                    digits++;
                }

                numberLength++;
            }

            if (digits == 0 || !decimal.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            s = s[numberLength..];
            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
            {
                unitLength++;
            }

            if (unitLength == 0 || !TryUnit(s[..unitLength], out var unitTicks))
            {
                return false;
            }

            s = s[unitLength..];
            try
            {
                ticks += number * unitTicks;
            }
            catch (OverflowException)
            {
                return false;
            }

            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)decimal.Round(negative ? -ticks : ticks));
        return true;
    }

    /// <summary>Writes a duration in Go syntax without zero components (1h30m, 2m, 90ms).</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            builder.Append('-');
            value = value.Negate();
        }

        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (value.Minutes > 0)
        {
            builder.Append(value.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var subMinuteTicks = value.Ticks % TimeSpan.TicksPerMinute;
        if (subMinuteTicks % TimeSpan.TicksPerSecond == 0)
        {
            if (subMinuteTicks > 0)
            {
                builder.Append((subMinuteTicks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture)).Append('s');
            }
        }
        else if (subMinuteTicks % TimeSpan.TicksPerMillisecond == 0)
        {
            builder.Append((subMinuteTicks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture)).Append("ms");
        }
        else
        {
            builder.Append((subMinuteTicks / (decimal)TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture)).Append('s');
        }

        return builder.ToString();
    }

    public bool Equals(KubeDuration? other) => other is not null && Text == other.Text;

    public override bool Equals(object? obj) => Equals(obj as KubeDuration);

    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Text;

    private static bool TryUnit(ReadOnlySpan<char> unit, out decimal ticks)
    {
        foreach (var (name, unitTicks) in Units)
        {
            if (unit.SequenceEqual(name))
            {
                ticks = unitTicks;
                return true;
            }
        }

        ticks = 0;
        return false;
    }
}
