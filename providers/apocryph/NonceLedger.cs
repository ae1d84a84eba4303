using System.Numerics;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// The nonces one wallet hands out in a run. The chain executes a wallet's transactions strictly in nonce order, so
/// a nonce that was taken but never reached the chain is a gap every later transaction waits behind (forever, if
/// nothing fills it), and a nonce sent twice is refused ("nonce too low") or replaces the first. So a nonce whose
/// transaction the chain never got is given back: if it was the last one handed out, the next send takes it; if
/// later ones are out, the gap must be filled now (<see cref="Return"/> says so), or, when that fails too, by the
/// next send (<see cref="Abandon"/>): <see cref="Take"/> hands out the lowest open gap first.
/// </summary>
public sealed class NonceLedger(BigInteger next)
{
    private readonly SortedSet<BigInteger> _gaps = [];
    private BigInteger _next = next;

    public BigInteger Take()
    {
        lock (_gaps)
        {
            if (_gaps.Count > 0)
            {
                var gap = _gaps.Min;
                _gaps.Remove(gap);
                return gap;
            }
            return _next++;
        }
    }

    /// <summary>A nonce whose transaction never reached the chain. True: later nonces are out, fill this one now.</summary>
    public bool Return(BigInteger nonce)
    {
        lock (_gaps)
        {
            if (nonce != _next - 1) return true;
            _next = nonce;
            return false;
        }
    }

    /// <summary>A gap that could not be filled now: the next <see cref="Take"/> fills it.</summary>
    public void Abandon(BigInteger nonce)
    {
        lock (_gaps) _gaps.Add(nonce);
    }

    /// <summary>
    /// What the chain has mined (its latest transaction count) is used: gaps below it were filled by someone else,
    /// and counting resumes above it if another sender of this wallet went further.
    /// </summary>
    public void Observe(BigInteger mined)
    {
        lock (_gaps)
        {
            _gaps.RemoveWhere(n => n < mined);
            if (_next < mined) _next = mined;
        }
    }
}
