using System.Diagnostics;
using FaceKit.Core.Errors;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Tests;

public sealed class StorageErrorTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Open_FileThatIsNotSqlite_IsStorageUnavailableNamingTheFile()
    {
        var path = _fixture.File("photo.jpg");
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(path));

        Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Open_SqliteDatabaseOfAnotherProgram_IsStorageUnavailable()
    {
        var path = _fixture.File("other.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(path));

        Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        Assert.Contains("not a FaceKit gallery", error.Message);
    }

    [Fact]
    public void Open_GalleryFromANewerFaceKit_IsStorageUnavailable()
    {
        using (SqliteGallery.Open(_fixture.DbPath)) { }
        using (var connection = new SqliteConnection($"Data Source={_fixture.DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath));

        Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        Assert.Contains("schema version 99", error.Message);
    }

    [Fact]
    public void Open_InMissingFolder_IsBadInputAndCreatesNothing()
    {
        var path = Path.Combine(_fixture.File("no-such-folder"), "gallery.db");

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(path));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.False(Directory.Exists(_fixture.File("no-such-folder")));
    }

    [Fact]
    public void Open_Folder_IsBadInput()
    {
        Directory.CreateDirectory(_fixture.File("a-folder"));

        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.File("a-folder"))).Code);
    }

    [Fact]
    public void Open_MissingFileWithoutCreate_IsBadInputAndCreatesNothing()
    {
        var error = Assert.Throws<FaceKitException>(() =>
            SqliteGallery.Open(_fixture.DbPath, new GalleryOptions { CreateIfMissing = false }));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.False(File.Exists(_fixture.DbPath));
    }

    [Fact]
    public void ReadOnlyGallery_IdentifiesButRefusesWrites()
    {
        using (var writable = SqliteGallery.Open(_fixture.DbPath)) writable.Enroll("alice", Faces.Templates(1));
        var gallery = _fixture.Open(new GalleryOptions { ReadOnly = true });

        Assert.Equal("alice", gallery.Identify(Faces.Vector(1), 1)[0].Name);
        var error = Assert.Throws<FaceKitException>(() => gallery.Enroll("bob", Faces.Templates(2)));

        Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        Assert.Contains("read-only", error.Message);
        Assert.Single(gallery.ListSubjects());
    }

    [Fact]
    public async Task Enroll_WhileAnotherWriterHoldsTheLockBriefly_WaitsAndSucceeds()
    {
        var gallery = _fixture.Open();
        using var blocker = HoldWriteLock();
        var release = Task.Run(async () =>
        {
            await Task.Delay(300);
            Execute(blocker, "COMMIT");
        });

        gallery.Enroll("alice", Faces.Templates(1));

        await release;
        Assert.Equal(1, gallery.TemplateCount);
    }

    [Fact]
    public void Enroll_WhileAnotherWriterKeepsTheLock_GivesUpWithStorageUnavailable()
    {
        var gallery = _fixture.Open(new GalleryOptions { LockTimeout = TimeSpan.FromMilliseconds(300) });
        using var blocker = HoldWriteLock();
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<FaceKitException>(() => gallery.Enroll("alice", Faces.Templates(1)));

        Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        Assert.Contains("locked", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"waited {clock.Elapsed}");
        Execute(blocker, "ROLLBACK");
        Assert.Equal(0, gallery.TemplateCount);
    }

    [Fact]
    public void Identify_WhileAnotherWriterHoldsTheLock_StillAnswers()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));
        using var blocker = HoldWriteLock();
        Execute(blocker, "DELETE FROM templates");

        Assert.Equal("alice", gallery.Identify(Faces.Vector(1), 1)[0].Name);
    }

    [Fact]
    public void DisposedGallery_ThrowsObjectDisposed()
    {
        var gallery = SqliteGallery.Open(_fixture.DbPath);
        gallery.Dispose();
        gallery.Dispose();

        Assert.Throws<ObjectDisposedException>(() => gallery.Identify(Faces.Vector(1), 1));
    }

    private SqliteConnection HoldWriteLock()
    {
        var connection = new SqliteConnection($"Data Source={_fixture.DbPath};Pooling=False");
        connection.Open();
        Execute(connection, "BEGIN IMMEDIATE");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
