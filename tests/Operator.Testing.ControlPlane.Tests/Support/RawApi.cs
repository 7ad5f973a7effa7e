using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

/// <summary>One HTTP answer: status code, Warning headers and the JSON body (null when not JSON).</summary>
internal sealed record RawAnswer(int Code, IReadOnlyList<string> Warnings, JsonNode? Body, string Text, string? RetryAfter = null)
{
    public JsonObject Object => Body as JsonObject ?? throw new InvalidOperationException($"not a JSON object: {Text}");

    /// <summary>The causes of a 422 Status as (field, reason, message).</summary>
    public IReadOnlyList<(string Field, string Reason, string Message)> Causes =>
        (Object["details"]?["causes"] as JsonArray ?? []).Select(c => (c?["field"]?.GetValue<string>() ?? "", c?["reason"]?.GetValue<string>() ?? "", c?["message"]?.GetValue<string>() ?? "")).ToList();

    public string Message => Object["message"]?.GetValue<string>() ?? "";
}

/// <summary>
/// Raw requests with a kubeconfig's server, CA and credentials, so a test states the exact request (verb,
/// path, content type, body) and sees the exact answer, with no client-side typing in between.
/// </summary>
internal sealed class RawClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _token;

    private RawClient(HttpClient http, string? token)
    {
        _http = http;
        _token = token;
    }

    public static RawClient FromKubeconfig(string path)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
#pragma warning disable CA2000 // The HttpClient owns and disposes the handler.
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
            {
                if (errors == System.Net.Security.SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || chain is null || config.SslCaCerts is null)
                {
                    return false;
                }

                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.CustomTrustStore.AddRange(config.SslCaCerts);
                return chain.Build(certificate);
            },
        };
#pragma warning restore CA2000
        if (config.ClientCertificateData is { } certData && config.ClientCertificateKeyData is { } keyData)
        {
            // K3s kubeconfigs authenticate with a client certificate (the emulator's with a token).
            static string Pem(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            using var pem = X509Certificate2.CreateFromPem(Pem(certData), Pem(keyData));
            handler.ClientCertificates.Add(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
        }

        return new RawClient(new HttpClient(handler) { BaseAddress = new Uri(config.Host.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) }, config.AccessToken);
    }

    public async Task<RawAnswer> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        request.Headers.Accept.ParseAdd("application/json");
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var warnings = response.Headers.TryGetValues("Warning", out var values) ? values.ToList() : [];
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text.Split('\n')[0]);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the test sees Text.
        }

        return new RawAnswer((int)response.StatusCode, warnings, json, text, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<RawAnswer> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body.ToJsonString());

    public Task<RawAnswer> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body.ToJsonString());

    public Task<RawAnswer> MergePatchAsync(string path, string patch) => SendAsync(HttpMethod.Patch, path, patch, "application/merge-patch+json");

    public Task<RawAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<RawAnswer> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public void Dispose() => _http.Dispose();
}
