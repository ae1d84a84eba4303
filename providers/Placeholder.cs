namespace ScyllaApocryph; internal static class Placeholder {}
