namespace ScyllaApocryph.Tests.Nebula;

/// <summary>
/// One running mesh for the read-only overlay tests. Started on first use, not in the constructor, so a machine
/// where the tests skip never tries to create namespaces.
/// </summary>
public sealed class SharedMesh : IDisposable
{
    private readonly Lazy<NebulaHosts> _hosts = new(() => new NebulaHosts(), LazyThreadSafetyMode.ExecutionAndPublication);

    public NebulaHosts Hosts => _hosts.Value;

    public void Dispose()
    {
        if (_hosts.IsValueCreated) _hosts.Value.Dispose();
    }
}
