using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Pulumi.Protocol;
using Struct = Google.Protobuf.WellKnownTypes.Struct;
using Value = Google.Protobuf.WellKnownTypes.Value;

namespace ScyllaApocryph.Tests.Pulumi;

public sealed class PropertyStructTests
{
    [Fact]
    public void A_secret_is_sent_as_an_object_with_pulumis_secret_signature_and_comes_back_secret()
    {
        var map = PropertyMap.Of(("key", PropertyValue.Secret("-----BEGIN PRIVATE KEY-----")), ("cert", "PEM"));

        var s = PropertyStruct.ToStruct(map);

        var wrapper = s.Fields["key"].StructValue;
        Assert.Equal("1b47061264138c4ac30d75fd1eb44270", wrapper.Fields["4dabf18193072939515e22adb298388d"].StringValue);
        Assert.Equal("-----BEGIN PRIVATE KEY-----", wrapper.Fields["value"].StringValue);
        Assert.Equal("PEM", s.Fields["cert"].StringValue);
        Assert.Equal(map, PropertyStruct.FromStruct(s));
    }

    [Fact]
    public void An_unknown_is_pulumis_unknown_string_even_inside_a_secret_and_a_list()
    {
        var map = PropertyMap.Of(("a", PropertyValue.Unknown), ("b", PropertyValue.Secret(PropertyValue.Unknown)),
            ("c", PropertyValue.Array(1, PropertyValue.Unknown, PropertyValue.Null, true)));

        var s = PropertyStruct.ToStruct(map);

        Assert.Equal("04da6b54-80e4-46f7-96ec-b56ff0331ba9", s.Fields["a"].StringValue);
        Assert.Equal(map, PropertyStruct.FromStruct(s));
    }

    [Fact]
    public void A_resource_reference_becomes_its_id_or_for_a_component_its_urn()
    {
        static Value Ref(string urn, string? id)
        {
            var s = new Struct();
            s.Fields[PropertyStruct.SigKey] = Value.ForString(PropertyStruct.ResourceReferenceSig);
            s.Fields["urn"] = Value.ForString(urn);
            if (id is not null) s.Fields["id"] = Value.ForString(id);
            return Value.ForStruct(s);
        }

        Assert.Equal(new StringValue("ca-id"), PropertyStruct.FromValue(Ref("urn:pulumi:s::p::t::ca", "ca-id")));
        Assert.Equal(new StringValue("urn:pulumi:s::p::t::c"), PropertyStruct.FromValue(Ref("urn:pulumi:s::p::t::c", null)));
    }

    [Fact]
    public void An_output_value_becomes_its_value_secret_if_marked_and_unknown_without_one()
    {
        static Value Output(Value? value, bool secret)
        {
            var s = new Struct();
            s.Fields[PropertyStruct.SigKey] = Value.ForString(PropertyStruct.OutputValueSig);
            if (value is not null) s.Fields["value"] = value;
            if (secret) s.Fields["secret"] = Value.ForBool(true);
            return Value.ForStruct(s);
        }

        Assert.Equal(new StringValue("x"), PropertyStruct.FromValue(Output(Value.ForString("x"), false)));
        Assert.Equal(PropertyValue.Secret("x"), PropertyStruct.FromValue(Output(Value.ForString("x"), true)));
        Assert.Equal(PropertyValue.Unknown, PropertyStruct.FromValue(Output(null, false)));
    }

    [Fact]
    public void An_unresolved_output_reference_is_refused_rather_than_sent()
    {
        var reference = new OutputReference(new Urn("urn:pulumi:s::p::t::n"), "cert");

        Assert.Throws<ArgumentException>(() => PropertyStruct.ToValue(reference));
    }

    [Fact]
    public void An_unknown_signature_is_an_error_naming_it()
    {
        var s = new Struct();
        s.Fields[PropertyStruct.SigKey] = Value.ForString("feedface");

        var e = Assert.Throws<ArgumentException>(() => PropertyStruct.FromValue(Value.ForStruct(s)));
        Assert.Contains("feedface", e.Message);
    }
}
