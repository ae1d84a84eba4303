using System.Runtime.InteropServices;
using ScyllaApocryph.Agent;

// scylla-apocryph-agent run --config FILE [-- ARG...]  tend one ScyllaDB node (see NodeAgent); ARGs go to the entrypoint
// scylla-apocryph-agent check --config FILE   validate the configuration and exit
// scylla-apocryph-agent install DIR           copy this program into DIR (a Kubernetes init container)
// scylla-apocryph-agent version
// Exit codes: ScyllaDB's own exit code once it ran; 2 for bad input (nothing started); 3 for a volume of another cluster or slot.
if (args is ["version"] or ["--version"])
{
    Console.WriteLine($"scylla-apocryph-agent {typeof(NodeAgent).Assembly.GetName().Version} ({RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier})");
    return 0;
}
if (args is ["install", var target])
{
    // Kubernetes: an init container copies this program into a shared emptyDir, where the ScyllaDB container runs it.
    Directory.CreateDirectory(target);
    var destination = Path.Combine(target, "scylla-apocryph-agent");
    File.Copy(Environment.ProcessPath!, destination + ".tmp", overwrite: true);
    File.SetUnixFileMode(destination + ".tmp", (UnixFileMode)0b111_101_101);
    File.Move(destination + ".tmp", destination, overwrite: true);
    Console.WriteLine($"installed {destination}");
    return 0;
}
if (RunCommand.Parse(args) is not { Verb: var verb, ConfigPath: var path } command)
{
    Console.Error.WriteLine("usage: scylla-apocryph-agent run|check --config FILE [-- ENTRYPOINT-ARG...] | install DIR | version");
    return 2;
}
AgentConfig config;
try
{
    config = command.Apply(AgentConfig.Load(path));
}
catch (AgentConfigException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (verb == "check")
{
    Console.WriteLine($"{path}: ok (cluster {config.Cluster}, slot {config.Slot}, {config.Slots.Count} slots)");
    return 0;
}

using var stop = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
try
{
    return await new NodeAgent(config, path).RunAsync(stop.Token);
}
catch (VolumeIdentityException e)
{
    Console.Error.WriteLine($"scylla-apocryph-agent: {e.Message}");
    return 3;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0; // stopped while waiting for the volume lock: ScyllaDB never ran
}
