using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Infra.Output;

namespace ScyllaApocryph.Tests.Infra;

public sealed class OutputsPrinterTests
{
    private static string Print(PropertyMap outputs, bool showSecrets)
    {
        var w = new StringWriter();
        OutputsPrinter.Print(w, outputs, showSecrets);
        return w.ToString();
    }

    private static PropertyValue Row(string name, PropertyValue password) =>
        PropertyMap.Of(("name", name), ("password", password));

    [Fact]
    public void A_list_of_records_is_printed_as_columns_with_secret_cells_redacted()
    {
        var text = Print(PropertyMap.Of(("users", PropertyValue.Array(Row("ann", PropertyValue.Secret("hunter2"))))), showSecrets: false);

        Assert.Matches(@"name\s+password", text);
        Assert.Matches(@"ann\s+\[secret\]", text);
        Assert.DoesNotContain("hunter2", text);
    }

    [Fact]
    public void A_secret_list_of_records_is_never_tabulated_in_plaintext()
    {
        var users = PropertyValue.Secret(PropertyValue.Array(Row("ann", "hunter2"), Row("bob", "swordfish")));

        var hidden = Print(PropertyMap.Of(("users", users)), showSecrets: false);
        var shown = Print(PropertyMap.Of(("users", users)), showSecrets: true);

        Assert.Equal("Outputs:\n  users: [secret]\n", hidden.ReplaceLineEndings("\n"));
        Assert.Matches(@"bob\s+swordfish", shown);
    }

    [Fact]
    public void A_list_whose_records_are_secret_shows_no_field_of_them()
    {
        var users = PropertyValue.Array(PropertyValue.Secret(Row("ann", "hunter2")));

        var text = Print(PropertyMap.Of(("users", users)), showSecrets: false);

        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("ann", text);
    }
}
