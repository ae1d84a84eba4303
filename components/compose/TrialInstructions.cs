using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Components.Compose;

/// <summary>
/// What to do with a rendered one-host trial: where its files are and the exact commands to start it, connect and
/// stop. <c>up</c> prints it and summary.md carries it, so both say the same.
/// </summary>
public static class TrialInstructions
{
    /// <param name="directory">The compose directory as the reader should <c>cd</c> to it.</param>
    public static IReadOnlyList<string> Lines(Topology topology, string directory)
    {
        var cluster = topology.Cluster;
        var tls = cluster.Security == SecurityMode.Tls;
        var contact = CqlshConfig.Contact(topology);
        var addresses = string.Join(", ", topology.Slots.Select(s => $"{s.Name} {ComposeFile.HostAddress(topology, s)}"));
        var port = ComposeFile.ClientPorts(cluster)[0];
        // summary.md sits in the directory itself; up prints a path, quoted for the shell where it needs to be.
        var here = directory == ".";
        var cd = here ? "" : $"cd {ShellWord(directory)} && ";
        var lines = new List<string>
        {
            $"The one-host trial is in {(here ? "this directory" : directory)} (docker-compose.yaml, keyspaces.cql, summary.md, cqlshrc{(tls ? ", ca.crt, client.crt, client.key" : "")}).",
            $"  start:    {cd}docker compose up -d",
            $"            every node starts once its seeds are healthy; then the one-shot '{ComposeFile.KeyspacesService}' service applies keyspaces.cql",
            $"            (docker compose ps -a shows it exited 0; docker compose logs {ComposeFile.KeyspacesService} shows why not)",
            $"  connect:  {cd}docker compose run --rm {ComposeFile.CqlshService}" +
            $"    (cqlsh as {cluster.SuperuserName} to {contact.Name}{(tls ? " over TLS with the client certificate" : "")})",
            $"            from this host, a driver reaches every node on its own address, port {port}: {addresses}" +
            (tls ? $"; trust ca.crt, present client.crt and client.key, hostname verification on" : ""),
            $"            the password of {cluster.SuperuserName}: stack output --show-secrets (also in cqlshrc)",
            $"  stop:     {cd}docker compose down    (the data volumes stay; docker compose down -v deletes them)",
        };
        return lines;
    }

    /// <summary>A path as one shell word: as is when it holds only safe characters, else single-quoted.</summary>
    private static string ShellWord(string path) =>
        path.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+".Contains(c)) ? path : "'" + path.Replace("'", "'\\''") + "'";
}
