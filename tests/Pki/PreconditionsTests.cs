namespace ScyllaApocryph.Tests.Pki;

public sealed class PreconditionsTests
{
    [Fact]
    public void Namespace_tests_skip_with_the_reason_only_where_not_root()
    {
        var (skip, failure) = Preconditions.Netns(root: false, ["python3 (for the TCP listeners)"]);

        Assert.Contains("root", skip);
        Assert.Null(failure);
    }

    [Fact]
    public void As_root_a_missing_prerequisite_fails_with_what_is_missing_and_the_remedy_instead_of_skipping()
    {
        var (skip, failure) = Preconditions.Netns(root: true, ["python3 (for the TCP listeners)", "/dev/net/tun (a TUN device for nebula)"]);

        Assert.Null(skip);
        Assert.Contains("python3", failure);
        Assert.Contains("/dev/net/tun", failure);
        Assert.Contains("scripts/setup.sh", failure);
    }

    [Fact]
    public void As_root_with_everything_installed_the_namespace_tests_run()
    {
        Assert.Equal((null, null), Preconditions.Netns(root: true, []));
    }

    [Fact]
    public void Setup_installs_every_tool_the_namespace_tests_need_when_it_is_missing()
    {
        var setup = File.ReadAllText(Path.Combine(Infra.StackConfigTests.RepositoryRoot(), "scripts", "setup.sh"));

        foreach (var (command, package) in new[] { ("nebula", "nebula"), ("nebula-cert", "nebula"), ("ip", "iproute2"), ("python3", "python3") })
            Assert.Matches($@"command -v {System.Text.RegularExpressions.Regex.Escape(command)}\b[^\n]*\|\| need_apt\+=\({package}\)", setup);
    }
}
