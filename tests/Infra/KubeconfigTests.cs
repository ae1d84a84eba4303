using ScyllaApocryph.Infra.Cli;
using ScyllaApocryph.Providers.Kubernetes;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>KUBECONFIG is read as kubectl reads it, and a missing context is bad input that preview reports.</summary>
public sealed class KubeconfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubeconfig-").FullName;

    public KubeconfigTests()
    {
        File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.yaml"), Path.Combine(_dir, "Pulumi.yaml"));
        File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.dev.yaml"), Path.Combine(_dir, "Pulumi.dev.yaml"));
    }

    public void Dispose() => Directory.Delete(_dir, true);

    // The kubeconfig format (clientcmd/api/v1): clusters, users and contexts, each a named entry.
    private string Kubeconfig(string file, string context, string server)
    {
        var path = Path.Combine(_dir, file);
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {context}-cluster
              cluster: {"{"} server: "{server}" {"}"}
            users:
            - name: {context}-user
              user: {"{"} token: abc {"}"}
            contexts:
            - name: {context}
              context: {"{"} cluster: {context}-cluster, user: {context}-user {"}"}
            current-context: {context}
            """);
        return path;
    }

    private async Task<(int Code, string Err)> Preview(string kubeconfig)
    {
        var stderr = new StringWriter();
        var env = new CliEnvironment(new StringWriter(), stderr, new StringReader(""), _dir,
            k => k switch { "KUBECONFIG" => kubeconfig, "HOME" => _dir, _ => null }, InputIsTerminal: false, OutputIsTerminal: false);
        var code = await new CliApp(env) { Pbkdf2Iterations = 1000 }.RunAsync(["preview", "--stack", "dev"]);
        return (code, stderr.ToString());
    }

    [Fact]
    public async Task A_context_missing_from_every_kubeconfig_file_is_reported_by_preview_with_the_contexts_present()
    {
        var other = Kubeconfig("a.yaml", "kind-test", "https://a.example:6443");

        var (code, error) = await Preview($"{Path.Combine(_dir, "missing.yaml")}:{other}");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:providers.minikube.context: context 'minikube' is not in the kubeconfig", error);
        Assert.Contains("contexts present: kind-test", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, ".state")));
    }

    [Fact]
    public async Task A_context_in_a_later_file_of_the_kubeconfig_list_is_found()
    {
        var first = Kubeconfig("a.yaml", "kind-test", "https://a.example:6443");
        var second = Kubeconfig("b.yaml", "minikube", "https://b.example:8443");

        var (code, error) = await Preview($"{first}::{second}");

        Assert.True(code == 0, error);
    }

    [Fact]
    public void The_client_is_configured_from_the_file_that_names_the_context_and_the_first_file_wins_a_name()
    {
        var first = Kubeconfig("a.yaml", "minikube", "https://first.example:8443");
        var second = Kubeconfig("b.yaml", "minikube", "https://second.example:8443");
        var third = Kubeconfig("c.yaml", "kind-test", "https://third.example:6443");
        string? Env(string k) => k == "KUBECONFIG" ? $"{first}:{second}:{third}" : null;

        Assert.Equal("https://first.example:8443/", KubeconfigFiles.Configuration("minikube", null, Env).Host.TrimEnd('/') + "/");
        Assert.Equal("https://third.example:6443/", KubeconfigFiles.Configuration("kind-test", null, Env).Host.TrimEnd('/') + "/");
        Assert.Equal([first], KubeconfigFiles.Paths(first, Env));
    }
}
