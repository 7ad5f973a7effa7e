using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;
using RemoteWorkloadOperator.Testing.ControlPlane.Security;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Http;

/// <summary>
/// The HTTP side of <see cref="ServiceAccountTokenIssuer"/>: <c>POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token</c>
/// (verb create on <c>serviceaccounts/token</c>, answered 201 as kube-apiserver's NamedCreater does) and the two
/// service-account issuer discovery documents.
/// </summary>
internal sealed class ServiceAccountTokenRoutes(ResourceOperations operations, RbacAuthorizer authorizer, ServiceAccountTokenIssuer issuer)
{
    /// <summary>OpenIDConfigPath in pkg/serviceaccount/openidmetadata.go.</summary>
    public const string OpenIdConfigPath = "/.well-known/openid-configuration";

    /// <summary>JWKSPath in pkg/serviceaccount/openidmetadata.go.</summary>
    public const string JwksPath = "/openid/v1/jwks";

    /// <summary>The issuer (<c>iss</c>) of every token: the server's own https URL, as --service-account-issuer is often set.</summary>
    public static string Issuer(string serverAddress) => $"https://{serverAddress}";

    /// <summary>Serves the discovery documents; false for any other path.</summary>
    public async Task<bool> TryServeDiscoveryAsync(HttpContext context, string path, string serverAddress)
    {
        JsonObject body;
        switch (path)
        {
            case OpenIdConfigPath:
                body = ServiceAccountTokenIssuer.OpenIdConfiguration(Issuer(serverAddress));
                break;
            case JwksPath:
                body = issuer.Jwks();
                break;
            default:
                return false;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = path == JwksPath ? "application/jwk-set+json" : "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
        return true;
    }

    public async Task CreateTokenAsync(HttpContext context, Identity identity, string ns, string name, string serverAddress)
    {
        if (context.Request.Method != "POST")
        {
            throw Status.MethodNotAllowed();
        }

        if (!authorizer.Allows(identity, "create", "", "serviceaccounts", "token", ns, name))
        {
            throw new ApiException(403, "Forbidden",
                $"serviceaccounts \"{name}\" is forbidden: User \"{identity.UserName}\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"{ns}\"");
        }

        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var request = (text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject) ?? throw Status.BadRequest("Object 'Kind' is missing in request body");
        var serviceAccounts = operations.Registry.Find("", "v1", "serviceaccounts")!;
        var serviceAccount = operations.Get(serviceAccounts, ns, name);
        var answer = issuer.Create(serviceAccount, request, Issuer(serverAddress), DateTimeOffset.UtcNow);
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }
}
