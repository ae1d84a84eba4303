using System.Runtime.InteropServices;

namespace ScyllaApocryph.Providers.Render;

/// <summary>
/// Who owns a file, and who this process is. .NET reads Unix modes but not owners, so this asks Linux directly:
/// statx(2), whose struct has the same layout on every architecture (stx_uid at byte 20; linux/stat.h), without
/// following a final symbolic link.
/// </summary>
internal static class FileOwner
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const int UidOffset = 20;

    /// <summary>The owner's uid, or null if the file is missing.</summary>
    public static uint? Of(string path)
    {
        var buffer = new byte[256]; // sizeof(struct statx)
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid, buffer) != 0) return null;
        return BitConverter.ToUInt32(buffer, UidOffset);
    }

    /// <summary>This process's effective uid: the owner of every file it writes.</summary>
    public static uint Self => geteuid();

    // DllImport rather than LibraryImport: the latter's generated code needs unsafe blocks in this assembly.
    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc")]
    private static extern uint geteuid();
}
