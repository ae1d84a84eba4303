using ScyllaApocryph.Engine.Values;
using Struct = Google.Protobuf.WellKnownTypes.Struct;
using Value = Google.Protobuf.WellKnownTypes.Value;

namespace ScyllaApocryph.Pulumi.Protocol;

/// <summary>
/// Converts the engine's property values to and from the <c>google.protobuf.Struct</c> form Pulumi's protocol uses.
/// Secrets, resource references and output values are objects marked with a special signature key; an unknown value is
/// a fixed string. The constants are upstream's (pulumi/pulumi sdk/go/common/resource/properties.go, and
/// sdk/nodejs/runtime/rpc.ts: specialSigKey, specialSecretSig, specialResourceSig, specialOutputValueSig, unknownValue).
/// </summary>
public static class PropertyStruct
{
    public const string SigKey = "4dabf18193072939515e22adb298388d";
    public const string SecretSig = "1b47061264138c4ac30d75fd1eb44270";
    public const string ResourceReferenceSig = "5cf8f73096256a8f31e491e813e4eb8e";
    public const string OutputValueSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
    public const string AssetSig = "c44067f5952c0a294b673a41bacd8c17";
    public const string ArchiveSig = "0def7320c3a5731c473e5ecbe6d01bc7";
    public const string UnknownString = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

    public static Struct ToStruct(PropertyMap map)
    {
        var s = new Struct();
        foreach (var (key, value) in map) s.Fields[key] = ToValue(value);
        return s;
    }

    public static Value ToValue(PropertyValue value) => value switch
    {
        NullValue => Value.ForNull(),
        BoolValue b => Value.ForBool(b.Value),
        NumberValue n => Value.ForNumber(n.Value),
        StringValue s => Value.ForString(s.Value),
        ArrayValue a => Value.ForList([.. a.Items.Select(ToValue)]),
        ObjectValue o => Value.ForStruct(ToStruct(o.Map)),
        SecretValue s => Value.ForStruct(Secret(ToValue(s.Inner))),
        UnknownValue => Value.ForString(UnknownString),
        _ => throw new ArgumentException($"a {value.GetType().Name} must be resolved before it is sent over Pulumi's protocol"),
    };

    private static Struct Secret(Value inner)
    {
        var s = new Struct();
        s.Fields[SigKey] = Value.ForString(SecretSig);
        s.Fields["value"] = inner;
        return s;
    }

    public static PropertyMap FromStruct(Struct? s) =>
        s is null ? PropertyMap.Empty : PropertyMap.From(s.Fields.Select(kv => KeyValuePair.Create(kv.Key, FromValue(kv.Value))));

    /// <summary>
    /// Decodes one value. A resource reference becomes what the engine itself sends a provider that does not take
    /// references (its id for a custom resource, its URN for a component); an output value becomes its value, secret
    /// if it was, unknown if it had none.
    /// </summary>
    public static PropertyValue FromValue(Value v) => v.KindCase switch
    {
        Value.KindOneofCase.NullValue or Value.KindOneofCase.None => PropertyValue.Null,
        Value.KindOneofCase.BoolValue => v.BoolValue,
        Value.KindOneofCase.NumberValue => v.NumberValue,
        Value.KindOneofCase.StringValue => v.StringValue == UnknownString ? PropertyValue.Unknown : v.StringValue,
        Value.KindOneofCase.ListValue => PropertyValue.Array(v.ListValue.Values.Select(FromValue)),
        Value.KindOneofCase.StructValue => FromObject(v.StructValue),
        _ => throw new ArgumentException($"unsupported protobuf value kind {v.KindCase}"),
    };

    private static PropertyValue FromObject(Struct s)
    {
        if (!s.Fields.TryGetValue(SigKey, out var sig)) return FromStruct(s);
        switch (sig.StringValue)
        {
            case SecretSig:
                return PropertyValue.Secret(s.Fields.TryGetValue("value", out var inner) ? FromValue(inner) : PropertyValue.Null);
            case ResourceReferenceSig:
                var id = s.Fields.TryGetValue("id", out var idValue) ? FromValue(idValue) : null;
                return id ?? (s.Fields.TryGetValue("urn", out var urn) ? urn.StringValue : throw new ArgumentException("a resource reference without a urn"));
            case OutputValueSig:
                var value = s.Fields.TryGetValue("value", out var known) ? FromValue(known) : PropertyValue.Unknown;
                return s.Fields.TryGetValue("secret", out var secret) && secret.BoolValue ? PropertyValue.Secret(value) : value;
            case AssetSig or ArchiveSig:
                throw new ArgumentException("assets and archives are not supported by scylla-apocryph");
            default:
                throw new ArgumentException($"unknown special signature '{sig.StringValue}'");
        }
    }
}
