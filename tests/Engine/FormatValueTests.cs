using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Tests.Engine;

public sealed class FormatValueTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task A_formatted_string_waits_for_its_outputs_and_is_secret_if_a_part_is()
    {
        var g = EngineHarness.NewGraph();
        var password = g.Resource("test:index:Thing", "password", "mem", PropertyMap.Of(("secret", PropertyValue.Secret("s3cret"))));
        var file = g.Resource("test:index:Thing", "config", "mem",
            PropertyMap.Of(("text", PropertyValue.Format("user: admin\npassword: ", password.Output("secret"), "\n"))));

        var plan = await _h.PreviewAsync(g);
        await _h.UpAsync(g);

        Assert.Contains(password.Urn, file.Dependencies);
        Assert.Equal("+ text: (known after apply)", plan.Outcomes.Single(o => o.Step.Name == "config").Step.Changes.Single().Describe());
        var written = _h.Provider.Live["config"].Get("text");
        Assert.IsType<SecretValue>(written);
        Assert.Equal("user: admin\npassword: s3cret\n", written!.AsString);
    }

    [Fact]
    public void A_format_of_plain_strings_is_just_a_string()
    {
        Assert.Equal(new StringValue("ab"), PropertyValue.Format("a", "b"));
    }
}

public sealed class FunctionValueTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task A_function_of_a_secret_output_is_applied_after_the_output_is_known_and_stays_secret()
    {
        var g = EngineHarness.NewGraph();
        var source = g.Resource("test:index:Thing", "source", "mem", PropertyMap.Of(("secret", PropertyValue.Secret("a\"b\n"))));
        g.Resource("test:index:Thing", "sink", "mem", PropertyMap.Of(
            ("b64", PropertyValue.Apply("base64", source.Output("secret"))),
            ("json", PropertyValue.Format("{\"v\": ", PropertyValue.Apply("json", source.Output("secret")), "}"))));

        await _h.UpAsync(g);

        var sink = _h.Provider.Live["sink"];
        Assert.IsType<SecretValue>(sink.Get("b64"));
        Assert.Equal(Convert.ToBase64String("a\"b\n"u8.ToArray()), sink.Get("b64")!.AsString);
        Assert.Equal("{\"v\": \"a\\u0022b\\n\"}", sink.Get("json")!.AsString);
    }
}
