using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Tests.Engine;

/// <summary>An apply under a confirmed plan takes only the steps that plan showed.</summary>
public sealed class ConfirmedPlanTests : IDisposable
{
    private const string Thing = "test:index:Thing";
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static ResourceGraph Graph(params (string Name, int Size)[] things)
    {
        var g = EngineHarness.NewGraph();
        foreach (var (name, size) in things) g.Resource(Thing, name, "mem", PropertyMap.Of(("size", size)));
        return g;
    }

    private async Task<DeploymentResult> UpConfirmed(ResourceGraph graph, ConfirmedPlan plan)
    {
        using var store = _h.OpenStore();
        return await new DeploymentEngine(_h.Providers).UpAsync(graph, store, default, plan);
    }

    [Fact]
    public async Task A_step_the_confirmed_plan_did_not_show_fails_without_being_taken_and_the_rest_is_applied()
    {
        await _h.UpAsync(Graph(("a", 1), ("c", 1)));
        var plan = new ConfirmedPlan(await _h.PreviewAsync(Graph(("a", 2), ("c", 1))));

        var result = await UpConfirmed(Graph(("a", 2), ("b", 1), ("c", 3)), plan);

        Assert.Equal(StepStatus.Succeeded, result.Outcomes.Single(o => o.Step.Name == "a").Status);
        var b = result.Outcomes.Single(o => o.Step.Name == "b");
        Assert.Equal(StepStatus.Failed, b.Status);
        Assert.Contains("the confirmed plan had nothing, but now it would create", b.Error);
        Assert.Equal(StepStatus.Failed, result.Outcomes.Single(o => o.Step.Name == "c").Status);
        Assert.DoesNotContain("b", _h.Provider.Live.Keys);
        Assert.Equal(1.0, _h.Provider.Live["c"].Get("size")!.AsNumber);
    }

    [Fact]
    public async Task A_replan_equal_to_the_confirmed_plan_has_no_differences_and_another_one_names_each()
    {
        await _h.UpAsync(Graph(("a", 1)));
        var preview = await _h.PreviewAsync(Graph(("a", 2)));
        var plan = new ConfirmedPlan(preview);

        Assert.Empty(plan.Differences(await _h.PreviewAsync(Graph(("a", 2)))));
        Assert.Equal(["b: the confirmed plan had nothing, but now it would create (size)", "a: the confirmed plan had update (size), but now it would delete"],
            plan.Differences(await _h.PreviewAsync(Graph(("b", 1)))));
    }
}
