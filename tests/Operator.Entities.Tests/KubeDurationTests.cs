namespace RemoteWorkloadOperator.Entities.Tests;

public sealed class KubeDurationTests
{
    public static TheoryData<string, double> ValidDurations => new()
    {
        { "90s", 90 },
        { "10m", 600 },
        { "1h30m", 5400 },
        { "1.5h", 5400 },
        { "24h", 86400 },
        { "500ms", 0.5 },
        { "1m30s", 90 },
        { "0", 0 },
        { "-5s", -5 },
        { "2h0m0s", 7200 },
        { "1500us", 0.0015 },
    };

    [Theory]
    [MemberData(nameof(ValidDurations))]
    public void Parses_go_syntax(string text, double seconds)
    {
        Assert.True(KubeDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10 m")]
    [InlineData("m")]
    [InlineData("1d")]
    [InlineData("1h-30m")]
    [InlineData(".s")]
    [InlineData("abc")]
    [InlineData("99999999999999h")]
    public void Rejects_malformed_text(string text)
    {
        Assert.False(KubeDuration.TryParse(text, out _));
        var duration = KubeDuration.FromText(text);
        Assert.Null(duration.Value);
        Assert.Equal(text, duration.Text);
    }

    [Theory]
    [InlineData(5400, "1h30m")]
    [InlineData(90, "1m30s")]
    [InlineData(86400, "24h")]
    [InlineData(0.25, "250ms")]
    [InlineData(0, "0s")]
    public void Formats_in_shortest_go_form(double seconds, string expected)
    {
        Assert.Equal(expected, KubeDuration.Format(TimeSpan.FromSeconds(seconds)));
        Assert.Equal(TimeSpan.FromSeconds(seconds), KubeDuration.Parse(expected).Value);
    }

    [Fact]
    public void Parse_names_the_expected_syntax_on_failure()
    {
        var error = Assert.Throws<FormatException>(() => KubeDuration.Parse("ten minutes"));
        Assert.Contains("1h30m", error.Message, StringComparison.Ordinal);
    }
}
