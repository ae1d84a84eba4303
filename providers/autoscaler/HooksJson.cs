using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScyllaApocryph.Providers.Autoscaler;

internal static class HooksJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
