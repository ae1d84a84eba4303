using System.Numerics;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// One payment channel as the chain holds it. Invested is what the publisher put in (and has not taken back);
/// Available = Invested - Withdrawn is what the provider may still take or the publisher may recover once unlocked.
/// UnlockedAt is 0 until unlock is called, then the block time from which the publisher can recover the funds.
/// </summary>
public sealed record ChannelState(BigInteger Invested, BigInteger Withdrawn, BigInteger UnlockTime, BigInteger UnlockedAt)
{
    public bool Exists => Invested != 0;
    public BigInteger Available => Invested - Withdrawn;
    public bool Unlocking => UnlockedAt != 0;
}
