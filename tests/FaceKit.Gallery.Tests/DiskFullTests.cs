using System.Diagnostics;
using FaceKit.Core.Errors;
using FaceKit.Testing;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Tests;

/// <summary>A small tmpfs mounted for one test: a disk that really fills up, and that can be remounted read-only.</summary>
internal sealed class Tmpfs : IDisposable
{
    private readonly TempDirectory _dir = new();

    public Tmpfs(string size)
    {
        Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", _dir.Path);
    }

    public string Path => _dir.Path;

    public void RemountReadOnly() => Run("mount", "-o", "remount,ro", Path);

    public void RemountReadWrite() => Run("mount", "-o", "remount,rw", Path);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        _dir.Dispose();
    }

    /// <summary>Null when this process may mount a tmpfs (root, and a kernel/container that allows it), else why not.</summary>
    public static string? Unavailable { get; } = Probe();

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts need Linux";
        if (Environment.UserName != "root") return "mounting a small tmpfs needs root (CI runs as root)";
        try
        {
            using var probe = new Tmpfs("64k");
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"cannot mount a tmpfs here: {e.Message}";
        }
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {err.Trim()}");
    }
}

public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable is { } reason) Skip = reason;
    }
}

/// <summary>The gallery on a disk that fills up or turns read-only: a clear error, and nothing already committed lost.</summary>
public sealed class DiskFullTests
{
    [TmpfsFact]
    public void Enroll_UntilTheDiskIsFull_FailsWithDiskFull_AndEveryAcknowledgedSubjectSurvives()
    {
        using var disk = new Tmpfs("1m");
        var path = System.IO.Path.Combine(disk.Path, "gallery.db");
        var acknowledged = new List<string>();
        FaceKitException? failure = null;
        using (var gallery = SqliteGallery.Open(path))
        {
            for (int i = 0; i < 1000 && failure is null; i++)
            {
                try
                {
                    gallery.Enroll($"person-{i:0000}", [Faces.Template(i), Faces.Template(i + 10_000)]);
                    acknowledged.Add($"person-{i:0000}");
                }
                catch (FaceKitException e) { failure = e; }
            }
            Assert.NotNull(failure);
            Assert.Equal(ErrorCode.StorageUnavailable, failure.Code);
            Assert.Contains("disk full", failure.Message);
            Assert.True(acknowledged.Count > 10, $"only {acknowledged.Count} enrolments fitted in 1 MiB");

            // The open gallery stays consistent and still answers.
            Assert.Equal(acknowledged.Count * 2, gallery.TemplateCount);
            Assert.Equal(acknowledged[5], gallery.Identify(Faces.Template(5), 1)[0].Name);
        }

        // Reopened from the full disk: everything acknowledged is there, nothing half-written, the file is sound.
        using (var reopened = SqliteGallery.Open(path, new GalleryOptions { CreateIfMissing = false }))
        {
            Assert.Equal(acknowledged, reopened.ListSubjects().Select(s => s.Name).ToList());
            Assert.All(reopened.ListSubjects(), s => Assert.Equal(2, s.TemplateCount));
            Assert.Equal(acknowledged[^1], reopened.Identify(Faces.Template(acknowledged.Count - 1), 1)[0].Name);
        }
        Assert.Equal("ok", IntegrityCheck(path));
    }

    [TmpfsFact]
    public void Gallery_OnAFilesystemTurnedReadOnly_FailsWithAClearError_AndIsIntactWhenWritableAgain()
    {
        using var disk = new Tmpfs("1m");
        var path = System.IO.Path.Combine(disk.Path, "gallery.db");
        using (var gallery = SqliteGallery.Open(path))
            gallery.Enroll("alice", [Faces.Template(1)]);
        disk.RemountReadOnly();

        var e = Assert.Throws<FaceKitException>(() =>
        {
            using var gallery = SqliteGallery.Open(path);
            gallery.Enroll("bob", [Faces.Template(2)]);
        });
        Assert.Equal(ErrorCode.StorageUnavailable, e.Code);
        Assert.Contains("gallery", e.Message);

        // A WAL database needs its -shm file even to read; on a read-only filesystem that cannot be created, so a
        // read-only open fails too, with the same kind of one-line error rather than a crash.
        var r = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(path, new GalleryOptions { ReadOnly = true, CreateIfMissing = false }).Dispose());
        Assert.Equal(ErrorCode.StorageUnavailable, r.Code);
        Assert.Contains(path, r.Message);

        // Nothing was damaged: writable again, the gallery holds what it held.
        disk.RemountReadWrite();
        Assert.Equal("ok", IntegrityCheck(path));
        using var again = SqliteGallery.Open(path, new GalleryOptions { CreateIfMissing = false });
        Assert.Equal(["alice"], again.ListSubjects().Select(s => s.Name).ToArray());
        Assert.Equal("alice", again.Identify(Faces.Template(1), 1)[0].Name);
    }

    private static string IntegrityCheck(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }
}
