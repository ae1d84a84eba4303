namespace ScyllaApocryph.Tests.Pki;

// xunit 2 has no dynamic skip: these facts set Skip in their constructor, and the reason shows in the test output.

/// <summary>A fact that needs the real nebula-cert.</summary>
public sealed class NebulaCertFactAttribute : FactAttribute
{
    public NebulaCertFactAttribute()
    {
        if (Preconditions.NebulaCertMissing is { } why) Skip = why;
    }
}

/// <summary>
/// A fact that needs root, nebula, iproute2, python3 and a TUN device. It skips only where not root; as root a
/// missing tool fails the test (<see cref="Preconditions.RequireNetns"/>, called by every lab).
/// </summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (Preconditions.NetnsSkip is { } why) Skip = why;
    }
}

/// <summary>A fact that needs node and the ethers package in tests/js.</summary>
public sealed class EthersFactAttribute : FactAttribute
{
    public EthersFactAttribute()
    {
        if (Preconditions.EthersMissing is { } why) Skip = why;
    }
}
