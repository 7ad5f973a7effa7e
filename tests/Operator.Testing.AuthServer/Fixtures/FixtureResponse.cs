using System.Text.Json;

namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures;

/// <summary>An answer of a fixture server.</summary>
public sealed record FixtureResponse(int Status, string? ContentType, string Body, IReadOnlyList<(string Name, string Value)> Headers)
{
    /// <summary>A JSON answer (UTF-8, <c>application/json</c>).</summary>
    public static FixtureResponse Json(int status, object body, params (string Name, string Value)[] headers) =>
        new(status, "application/json; charset=utf-8", JsonSerializer.Serialize(body), headers);

    /// <summary>A form-encoded answer.</summary>
    public static FixtureResponse Form(int status, params (string Name, string Value)[] fields) =>
        new(status, "application/x-www-form-urlencoded; charset=utf-8", string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Name)}={Uri.EscapeDataString(f.Value)}")), []);

    /// <summary>An answer with no body.</summary>
    public static FixtureResponse Empty(int status, params (string Name, string Value)[] headers) => new(status, null, "", headers);

    /// <summary>404 with a small HTML page, as most web servers answer an unknown path.</summary>
    public static FixtureResponse NotFound { get; } = new(404, "text/html", "<html><body>Not Found</body></html>", []);
}
