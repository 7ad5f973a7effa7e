using System.Text;

namespace RemoteWorkloadOperator.Testing.ControlPlane;

/// <summary>Writes kubeconfig files (token auth, HTTPS on 127.0.0.1 with the emulator's own CA).</summary>
public static class Kubeconfig
{
    public static string Render(Uri server, string caPem, string userName, string token, string ns = "default", string clusterName = "local-control-plane")
    {
        var context = $"{userName}@{clusterName}";
        var sb = new StringBuilder();
        sb.Append("apiVersion: v1\n");
        sb.Append("kind: Config\n");
        sb.Append("clusters:\n");
        sb.Append($"- name: {clusterName}\n");
        sb.Append("  cluster:\n");
        sb.Append($"    server: {server.GetLeftPart(UriPartial.Authority)}\n");
        sb.Append($"    certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem))}\n");
        sb.Append("contexts:\n");
        sb.Append($"- name: \"{context}\"\n");
        sb.Append("  context:\n");
        sb.Append($"    cluster: {clusterName}\n");
        sb.Append($"    user: \"{userName}\"\n");
        sb.Append($"    namespace: {ns}\n");
        sb.Append($"current-context: \"{context}\"\n");
        sb.Append("preferences: {}\n");
        sb.Append("users:\n");
        sb.Append($"- name: \"{userName}\"\n");
        sb.Append("  user:\n");
        sb.Append($"    token: {token}\n");
        return sb.ToString();
    }

    public static void Write(string path, Uri server, string caPem, string userName, string token, string ns = "default")
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, Render(server, caPem, userName, token, ns));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
