using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

/// <summary>Assertions shared by the compatibility tests.</summary>
internal static class IdpAssert
{
    public static TokenGrant Granted(TokenRequestResult result)
    {
        Assert.True(result.Failure is null, result.Failure?.Description);
        var grant = Assert.IsType<TokenGrant>(result.Grant);
        Assert.False(string.IsNullOrEmpty(grant.AccessToken));
        Assert.Equal("Bearer", grant.TokenType);
        return grant;
    }

    public static TokenFailure Rejected(TokenRequestResult result, string code, MonitorCredentials credentials)
    {
        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.CredentialsRejected, failure.Reason);
        Assert.Equal(code, failure.ErrorCode);
        NoSecrets(failure, credentials);
        return failure;
    }

    public static void NoSecrets(TokenFailure failure, MonitorCredentials credentials)
    {
        var text = failure.ToString();
        if (credentials.RefreshToken is { } rt)
        {
            Assert.DoesNotContain(rt, text, StringComparison.Ordinal);
        }

        if (credentials.ClientSecret is { } secret)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    public static void ExpiresIn(TokenGrant grant, int seconds)
    {
        var expiresAt = Assert.IsType<DateTimeOffset>(grant.ExpiresAt);
        Assert.Equal(seconds, (expiresAt - grant.IssuedAt).TotalSeconds, 0.5);
    }
}
