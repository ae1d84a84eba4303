using ScyllaApocryph.Components.Mesh;

namespace ScyllaApocryph.Tests.Pki;

public sealed class SecurityModeRulesTests
{
    private static readonly MeshProvider Minikube = new("mk-a", IsApocryph: false);
    private static readonly MeshProvider Apocryph = new("apo-1", IsApocryph: true);

    [Theory]
    [InlineData("nebula", SecurityMode.Nebula)]
    [InlineData("TLS", SecurityMode.Tls)]
    [InlineData(" none ", SecurityMode.None)]
    public void Parse_AcceptsTheThreeModes(string text, SecurityMode expected)
    {
        Assert.True(SecurityModeRules.TryParse(text, out var mode));
        Assert.Equal(expected, mode);
        Assert.Equal(text.Trim().ToLowerInvariant(), SecurityModeRules.ToConfigString(mode));
    }

    [Fact]
    public void Parse_RefusesOthers() => Assert.False(SecurityModeRules.TryParse("wireguard", out _));

    [Fact]
    public void Nebula_IsRefusedOnApocryphProviders_Only()
    {
        Assert.Empty(SecurityModeRules.Check(SecurityMode.Nebula, [Minikube]));
        var finding = Assert.Single(SecurityModeRules.Check(SecurityMode.Nebula, [Minikube, Apocryph]));
        Assert.Equal((FindingSeverity.Error, "apo-1"), (finding.Severity, finding.Provider));
        Assert.Contains("UDP", finding.Message);
    }

    [Fact]
    public void None_WarnsLoudly_AndIsRefusedOnApocryph()
    {
        var local = SecurityModeRules.Check(SecurityMode.None, [Minikube]);
        var warning = Assert.Single(local);
        Assert.Equal(FindingSeverity.Warning, warning.Severity);
        Assert.Contains("UNENCRYPTED", warning.Message);
        Assert.Contains(SecurityModeRules.Check(SecurityMode.None, [Minikube, Apocryph]), f => f.Severity == FindingSeverity.Error && f.Provider == "apo-1");
    }

    [Fact]
    public void Tls_WorksEverywhere_AndUsesTheTlsStoragePort()
    {
        Assert.Empty(SecurityModeRules.Check(SecurityMode.Tls, [Minikube, Apocryph]));
        Assert.Equal(7001, SecurityModeRules.InternodePort(SecurityMode.Tls));
        Assert.Equal(7000, SecurityModeRules.InternodePort(SecurityMode.Nebula));
    }

    [Fact]
    public void OverlayAddressing_GivesEachSlotAFixedAddress()
    {
        Assert.Equal("10.42.0.1/16", OverlayAddressing.CidrForSlot("10.42.0.0/16", 0));
        Assert.Equal("10.42.1.0/16", OverlayAddressing.CidrForSlot("10.42.0.0/16", 255));
        Assert.Equal("10.42.0.3", OverlayAddressing.AddressForSlot("10.42.7.9/16", 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => OverlayAddressing.CidrForSlot("10.42.0.0/30", 2));
        Assert.Throws<FormatException>(() => OverlayAddressing.CidrForSlot("10.42.0.0", 0));
    }
}
