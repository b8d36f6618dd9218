// This file is compiled twice: into FaceKit.Training (so tests and the runtime check can call it) and, by
// RoslynCodeTaskFactory, into the MSBuild task that patches libLibTorchSharp.so after restore and after the copy to
// the output folder (FaceKit.Training.csproj). Keep it dependency-free and C# the task compiler accepts.
using System;
using System.IO;
using System.Text;

namespace FaceKit.Training.Native
{
    /// <summary>How an ELF file requires a symbol version.</summary>
    public enum ElfVersionRequirement
    {
        /// <summary>The file does not require that version at all.</summary>
        Absent,
        /// <summary>Required: the loader refuses the file where the version is missing.</summary>
        Strong,
        /// <summary>Required weakly (VER_FLG_WEAK): the loader goes on where the version is missing.</summary>
        Weak,
    }

    /// <summary>
    /// Marks one symbol-version requirement of an ELF64 shared library as weak (VER_FLG_WEAK in the vna_flags of its
    /// Vernaux entry in .gnu.version_r). TorchSharp 0.107's libLibTorchSharp.so was linked by GCC 13, which adds a
    /// reference to std::ios_base_library_init()@GLIBCXX_3.4.32 that nothing calls; Debian 12's libstdc++ stops at
    /// GLIBCXX_3.4.30, so the loader refuses the library. A weak requirement lets ld.so load it. Removing the symbol's
    /// version (patchelf --clear-symbol-version) is not enough: the requirement itself stays and is checked first.
    /// Idempotent: a second run reads, finds the flag set and writes nothing.
    /// </summary>
    public static class ElfVersionPatch
    {
        public const string LibTorchSharpVersion = "GLIBCXX_3.4.32";
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>Makes the requirement weak; true when the file was changed, false when already weak or absent.</summary>
        public static bool MakeWeak(string path, string version) => SetWeak(path, version, true);

        /// <summary>Sets or clears VER_FLG_WEAK on the requirement; true when the file was changed.</summary>
        public static bool SetWeak(string path, string version, bool weak)
        {
            byte[] elf = File.ReadAllBytes(path);
            int offset;
            ElfVersionRequirement state = Inspect(elf, version, out offset);
            if (state == ElfVersionRequirement.Absent || (state == ElfVersionRequirement.Weak) == weak) return false;
            ushort flags = ReadU16(elf, offset);
            ushort updated = weak ? (ushort)(flags | VerFlgWeak) : (ushort)(flags & ~VerFlgWeak);
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read))
            {
                stream.Position = offset;
                stream.WriteByte((byte)(updated & 0xff));
                stream.WriteByte((byte)(updated >> 8));
            }
            return true;
        }

        public static ElfVersionRequirement Check(string path, string version)
        {
            int offset;
            return Inspect(File.ReadAllBytes(path), version, out offset);
        }

        private static ElfVersionRequirement Inspect(byte[] elf, string version, out int flagsOffset)
        {
            flagsOffset = -1;
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
            long shoff = (long)ReadU64(elf, 0x28);
            int shentsize = ReadU16(elf, 0x3A);
            int shnum = ReadU16(elf, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
                throw new InvalidDataException("ELF section header table is missing or truncated");
            for (int i = 0; i < shnum; i++)
            {
                int sh = checked((int)(shoff + (long)i * shentsize));
                if (ReadU32(elf, sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)ReadU64(elf, sh + 0x18);
                long size = (long)ReadU64(elf, sh + 0x20);
                int strtabIndex = (int)ReadU32(elf, sh + 0x28);
                int count = (int)ReadU32(elf, sh + 0x2C);
                int strtabHeader = checked((int)(shoff + (long)strtabIndex * shentsize));
                long strtab = (long)ReadU64(elf, strtabHeader + 0x18);
                long need = offset;
                for (int n = 0; n < count; n++)
                {
                    if (need < offset || need + 16 > offset + size) throw new InvalidDataException(".gnu.version_r is corrupt");
                    int auxCount = ReadU16(elf, (int)need + 2);
                    long aux = need + ReadU32(elf, (int)need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        if (aux < offset || aux + 16 > offset + size) throw new InvalidDataException(".gnu.version_r is corrupt");
                        string name = ReadCString(elf, strtab + ReadU32(elf, (int)aux + 8));
                        if (name == version)
                        {
                            flagsOffset = (int)aux + 4;
                            return (ReadU16(elf, flagsOffset) & VerFlgWeak) != 0 ? ElfVersionRequirement.Weak : ElfVersionRequirement.Strong;
                        }
                        uint nextAux = ReadU32(elf, (int)aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = ReadU32(elf, (int)need + 12);
                    if (next == 0) break;
                    need += next;
                }
            }
            return ElfVersionRequirement.Absent;
        }

        private static ushort ReadU16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);

        private static uint ReadU32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);

        private static ulong ReadU64(byte[] b, int o) => ReadU32(b, o) | (ulong)ReadU32(b, o + 4) << 32;

        private static string ReadCString(byte[] b, long o)
        {
            long end = o;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }
}

#if !FACEKIT_TRAINING
namespace FaceKit.Training.Build
{
    /// <summary>The MSBuild face of <see cref="FaceKit.Training.Native.ElfVersionPatch"/>: patches each file given.</summary>
    public sealed class PatchElfVersion : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string Version { get; set; } = "";

        public override bool Execute()
        {
            foreach (var file in Files)
            {
                string path = file.ItemSpec;
                if (!File.Exists(path)) continue;
                if (FaceKit.Training.Native.ElfVersionPatch.MakeWeak(path, Version))
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "marked " + Version + " weak in " + path);
            }
            return !Log.HasLoggedErrors;
        }
    }
}
#endif
