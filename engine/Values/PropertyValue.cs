using System.Collections.Immutable;
using ScyllaApocryph.Engine.Resources;

namespace ScyllaApocryph.Engine.Values;

/// <summary>
/// A JSON-shaped property value with three wrappers the engine understands:
/// <see cref="SecretValue"/> (encrypted at rest, redacted in output), <see cref="UnknownValue"/>
/// (an output not known until apply) and <see cref="OutputReference"/> (an input that takes another
/// resource's output, which also makes that resource a dependency).
/// </summary>
public abstract record PropertyValue
{
    public static readonly PropertyValue Null = new NullValue();
    public static readonly PropertyValue Unknown = new UnknownValue();

    public static implicit operator PropertyValue(string value) => new StringValue(value);
    public static implicit operator PropertyValue(bool value) => new BoolValue(value);
    public static implicit operator PropertyValue(long value) => new NumberValue(value);
    public static implicit operator PropertyValue(int value) => new NumberValue(value);
    public static implicit operator PropertyValue(double value) => new NumberValue(value);
    public static implicit operator PropertyValue(PropertyMap value) => new ObjectValue(value);

    public static PropertyValue Secret(PropertyValue value) => value is SecretValue ? value : new SecretValue(value);

    public static PropertyValue Array(IEnumerable<PropertyValue> items) => new ArrayValue([.. items]);

    public static PropertyValue Array(params PropertyValue[] items) => new ArrayValue([.. items]);

    /// <summary>
    /// A string assembled from parts, some of which may be output references (Pulumi's Output.Format). It resolves
    /// to a string once every part is known, and is secret if any part is.
    /// </summary>
    public static PropertyValue Format(params PropertyValue[] parts) =>
        parts.All(p => p is StringValue) ? new StringValue(string.Concat(parts.Select(p => ((StringValue)p).Value))) : new FormatValue([.. parts]);

    /// <summary>A named pure function of a string value, applied once the value is known; see <see cref="FunctionValue"/>.</summary>
    public static PropertyValue Apply(string function, PropertyValue argument) =>
        argument.Any(v => v is OutputReference or FormatValue or FunctionValue or UnknownValue)
            ? new FunctionValue(function, argument)
            : FunctionValue.Invoke(function, argument);

    /// <summary>True if this value or anything inside it is secret.</summary>
    public bool ContainsSecrets => Any(v => v is SecretValue);

    /// <summary>True if this value or anything inside it is not known yet.</summary>
    public bool ContainsUnknowns => Any(v => v is UnknownValue);

    /// <summary>Every output reference inside this value.</summary>
    public IEnumerable<OutputReference> References
    {
        get
        {
            var found = new List<OutputReference>();
            Any(v =>
            {
                if (v is OutputReference r) found.Add(r);
                return false;
            });
            return found;
        }
    }

    /// <summary>The value with secret wrappers removed (for providers that need the plain value).</summary>
    public PropertyValue Reveal() => Transform(v => v is SecretValue s ? s.Inner.Reveal() : null);

    /// <summary>
    /// Rebuilds the tree bottom-up, replacing any node for which <paramref name="replace"/> returns a value. A sealed
    /// secret it does not replace stays whole and sealed.
    /// </summary>
    public PropertyValue Transform(Func<PropertyValue, PropertyValue?> replace)
    {
        if (replace(this) is { } replaced) return replaced;
        return this switch
        {
            ArrayValue a => new ArrayValue([.. a.Items.Select(i => i.Transform(replace))]),
            ObjectValue o => new ObjectValue(o.Map.MapValues(v => v.Transform(replace))),
            SecretValue { IsSealed: true } => this, // a resolved value: nothing inside to replace
            SecretValue s => new SecretValue(s.Inner.Transform(replace)),
            FormatValue f => Concat([.. f.Parts.Select(p => p.Transform(replace))]),
            FunctionValue fn => fn.Argument.Transform(replace) switch
            {
                var a when a.ContainsUnknowns => a.ContainsSecrets ? Secret(Unknown) : Unknown,
                var a when a is OutputReference or FormatValue or FunctionValue => new FunctionValue(fn.Function, a),
                var a => a.ContainsSecrets ? Secret(FunctionValue.Invoke(fn.Function, a)) : FunctionValue.Invoke(fn.Function, a),
            },
            _ => this,
        };
    }

    private static PropertyValue Concat(PropertyValue[] parts)
    {
        if (parts.Any(p => p.ContainsUnknowns)) return parts.Any(p => p.ContainsSecrets) ? Secret(Unknown) : Unknown;
        if (parts.Any(p => p is OutputReference or FormatValue)) return new FormatValue([.. parts]);
        var text = string.Concat(parts.Select(p => p.AsString ?? throw new InvalidOperationException("a formatted string may only contain strings")));
        return parts.Any(p => p.ContainsSecrets) ? Secret(text) : text;
    }

    /// <summary>
    /// True if <paramref name="predicate"/> holds for this value or any value inside it. A sealed secret is not opened:
    /// it holds a resolved value, so there is no reference, unknown or pending function inside it to find.
    /// </summary>
    public bool Any(Func<PropertyValue, bool> predicate) => predicate(this) || this switch
    {
        ArrayValue a => a.Items.Any(i => i.Any(predicate)),
        ObjectValue o => o.Map.Values.Any(v => v.Any(predicate)),
        SecretValue { IsSealed: true } => false,
        SecretValue s => s.Inner.Any(predicate),
        FormatValue f => f.Parts.Any(p => p.Any(predicate)),
        FunctionValue fn => fn.Argument.Any(predicate),
        _ => false,
    };

    public string? AsString => this switch
    {
        StringValue s => s.Value,
        SecretValue s => s.Inner.AsString,
        _ => null,
    };

    public double? AsNumber => this switch
    {
        NumberValue n => n.Value,
        SecretValue s => s.Inner.AsNumber,
        _ => null,
    };

    public bool? AsBool => this switch
    {
        BoolValue b => b.Value,
        SecretValue s => s.Inner.AsBool,
        _ => null,
    };

    public PropertyMap? AsMap => this switch
    {
        ObjectValue o => o.Map,
        SecretValue s => s.Inner.AsMap,
        _ => null,
    };

    public ImmutableArray<PropertyValue>? AsArray => this switch
    {
        ArrayValue a => a.Items,
        SecretValue s => s.Inner.AsArray,
        _ => null,
    };
}

public sealed record NullValue : PropertyValue;

public sealed record BoolValue(bool Value) : PropertyValue;

public sealed record NumberValue(double Value) : PropertyValue;

public sealed record StringValue(string Value) : PropertyValue;

public sealed record ArrayValue(ImmutableArray<PropertyValue> Items) : PropertyValue
{
    public bool Equals(ArrayValue? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Aggregate(17, (h, i) => HashCode.Combine(h, i));
}

public sealed record ObjectValue(PropertyMap Map) : PropertyValue;

/// <summary>
/// A value that must never be shown or stored in plaintext. One read from the state stays sealed (its ciphertext
/// only) until something needs its plaintext, so a run that never looks inside a secret never derives the key that
/// decrypts it. A sealed secret always holds a resolved value (the state records only applied values), so
/// <see cref="PropertyValue.Any"/> need not open it to look for references or unknowns.
/// </summary>
public sealed record SecretValue : PropertyValue
{
    private PropertyValue? _inner;
    private readonly Func<PropertyValue>? _unseal;

    // The ciphertext that stands for this value under one cipher: read from the state, or written there once.
    private volatile Ciphertext? _ciphertext;

    public SecretValue(PropertyValue inner) => _inner = inner;

    private SecretValue(Ciphertext ciphertext, Func<PropertyValue> unseal)
    {
        _ciphertext = ciphertext;
        _unseal = unseal;
    }

    /// <summary>A secret known only by its ciphertext; <paramref name="unseal"/> decrypts it on first use.</summary>
    public static SecretValue Sealed(ISecretCipher cipher, string ciphertext, Func<PropertyValue> unseal) =>
        new(new Ciphertext(cipher, ciphertext), unseal);

    /// <summary>The plaintext value; for a sealed secret, decrypting it is the first use of the key.</summary>
    public PropertyValue Inner
    {
        get
        {
            if (_inner is { } inner) return inner;
            var opened = _unseal!();
            Interlocked.CompareExchange(ref _inner, opened, null);
            return _inner!;
        }
    }

    /// <summary>True while the plaintext has not been needed yet.</summary>
    public bool IsSealed => _inner is null;

    /// <summary>The ciphertext this value already has under <paramref name="cipher"/>, if any: rewriting it needs no key.</summary>
    public string? CiphertextUnder(ISecretCipher cipher) =>
        _ciphertext is { } c && ReferenceEquals(c.Cipher, cipher) ? c.Text : null;

    /// <summary>Remembers what <paramref name="cipher"/> made of this value, so every later write stores the same text.</summary>
    public void Remember(ISecretCipher cipher, string ciphertext) => _ciphertext ??= new Ciphertext(cipher, ciphertext);

    /// <summary>Equal plaintexts; one ciphertext under one cipher is one plaintext, so that case needs no decryption.</summary>
    public bool Equals(SecretValue? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (_ciphertext is { } a && other._ciphertext is { } b && ReferenceEquals(a.Cipher, b.Cipher) && a.Text == b.Text) return true;
        return Inner.Equals(other.Inner);
    }

    // Equal secrets must hash alike without their plaintext: one bucket for all.
    public override int GetHashCode() => 0x5EC2E7;

    public override string ToString() => "[secret]";

    private sealed record Ciphertext(ISecretCipher Cipher, string Text);
}

/// <summary>Parts of a string still waiting for outputs; see <see cref="PropertyValue.Format"/>.</summary>
public sealed record FormatValue(ImmutableArray<PropertyValue> Parts) : PropertyValue
{
    public bool Equals(FormatValue? other) => other is not null && Parts.SequenceEqual(other.Parts);

    public override int GetHashCode() => Parts.Aggregate(23, (h, i) => HashCode.Combine(h, i));
}

/// <summary>
/// A function applied to a value that may not be known yet: <c>base64</c> (a string's UTF-8 bytes as base64) or
/// <c>json</c> (the value as JSON text: a string literal with its quotes, or an array). Lets a renderer embed a
/// generated value in a manifest. The result is a string, secret if the argument was.
/// </summary>
public sealed record FunctionValue(string Function, PropertyValue Argument) : PropertyValue
{
    public static readonly IReadOnlyList<string> Functions = ["base64", "json"];

    public static PropertyValue Invoke(string function, PropertyValue argument) => function switch
    {
        "base64" => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(argument.AsString ?? throw new ArgumentException("base64 takes a string"))),
        "json" => Json(argument.Reveal()),
        _ => throw new ArgumentException($"unknown function '{function}' (known: {string.Join(", ", Functions)})"),
    };

    private static string Json(PropertyValue value)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer)) PropertyJson.WritePlain(w, value, showSecrets: true);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>An output that is not known until the resource is applied.</summary>
public sealed record UnknownValue : PropertyValue;

/// <summary>An input that takes the output <paramref name="Output"/> of resource <paramref name="Urn"/>.</summary>
public sealed record OutputReference(Urn Urn, string Output) : PropertyValue;
