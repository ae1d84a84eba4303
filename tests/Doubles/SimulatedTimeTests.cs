using ScyllaApocryph.Tests.Membership;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>Tests on simulated time give the same result however fast real time goes.</summary>
public sealed class SimulatedTimeTests
{
    [Fact]
    public async Task The_same_seed_gives_the_same_trace_even_with_the_machine_busy_meanwhile()
    {
        var first = MembershipPropertyTests.TraceOf("5Q6AxKSiTNX1");
        var burn = Task.Run(() => { var end = DateTime.UtcNow.AddMilliseconds(300); while (DateTime.UtcNow < end) { } });
        var second = MembershipPropertyTests.TraceOf("5Q6AxKSiTNX1");
        await burn;

        Assert.Contains("bootstrap", first); // it did something
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_body_that_waits_on_real_time_is_refused_as_not_deterministic()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SimulatedTime.Run(async () => await Task.Delay(5)));

        Assert.Contains("not deterministic", error.Message);
    }

    [Fact]
    public void Simulated_time_moves_only_when_the_work_in_hand_is_done_however_slow_that_work_is()
    {
        var h = new MembershipHarness();
        var ticks = new List<TimeSpan>();
        var start = h.Clock.GetUtcNow();

        SimulatedTime.Run(async () =>
        {
            async Task<int> Work()
            {
                for (var i = 0; i < 5; i++)
                {
                    await Providers.Scylla.ClockDelay.Wait(h.Clock, TimeSpan.FromSeconds(2), default);
                    Thread.Sleep(20); // slow real work between two waits must not let simulated time run on
                    ticks.Add(h.Clock.GetUtcNow() - start);
                }
                return 0;
            }
            await h.WhileTimePasses(Work(), TimeSpan.FromSeconds(1));
        });

        Assert.Equal([2, 4, 6, 8, 10], ticks.Select(t => (int)t.TotalSeconds));
    }
}
