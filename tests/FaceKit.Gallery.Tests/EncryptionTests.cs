using System.Security.Cryptography;
using System.Text;
using FaceKit.Core.Errors;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Tests;

public sealed class EncryptionTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _fixture.Dispose();

    private static GalleryOptions With(byte[]? key) => new() { EncryptionKey = key };

    [Fact]
    public void EncryptedGallery_RoundTripsAndIdentifiesAfterReopen()
    {
        var image = Encoding.ASCII.GetBytes("pretend jpeg bytes");
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, With(Key)))
        {
            Assert.True(gallery.IsEncrypted);
            gallery.Enroll("alice", [Faces.Near(1, 1), Faces.Near(1, 2)], [image, null]);
            gallery.Enroll("bob", [Faces.Near(2, 1)]);
        }

        using var reopened = SqliteGallery.Open(_fixture.DbPath, With(Key));
        Assert.Equal(3, reopened.TemplateCount);
        Assert.Equal("alice", reopened.Identify(Faces.Near(1, 9), 1)[0].Name);
        Assert.Equal("bob", reopened.Identify(Faces.Near(2, 9), 1)[0].Name);
        var first = reopened.ListTemplates("alice")[0];
        Assert.True(first.HasImage);
        Assert.Equal(image, reopened.GetTemplateImage(first.Id));
    }

    [Fact]
    public void StoredBlobs_AreCiphertext_NotTheFloats()
    {
        var image = Encoding.ASCII.GetBytes("a very recognisable image payload");
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, With(Key)))
            gallery.Enroll("alice", [Faces.Template(1)], [image]);

        using var connection = Connect();
        var (vector, storedImage, isSealed) = Row(connection);
        Assert.Equal(1L, isSealed);
        Assert.Equal(Faces.Dim * 4 + 28, vector.Length);
        var plain = new byte[Faces.Dim * 4];
        Buffer.BlockCopy(Faces.Vector(1), 0, plain, 0, plain.Length);
        Assert.False(vector.AsSpan().IndexOf(plain.AsSpan(0, 16)) >= 0, "the first floats appear in the clear");
        Assert.False(storedImage.AsSpan().IndexOf(image.AsSpan(0, 12)) >= 0, "the image appears in the clear");
        // The key is nowhere in the file's settings.
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(value, '|') FROM settings";
        var settings = (string)command.ExecuteScalar()!;
        Assert.DoesNotContain(Convert.ToBase64String(Key), settings);
        Assert.Contains("aes-gcm", settings);
    }

    [Fact]
    public void WrongKey_IsRefusedAtOpen_WithAClearMessage()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, With(Key))) gallery.Enroll("alice", Faces.Templates(1));

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath, With(RandomNumberGenerator.GetBytes(32))));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.Contains("wrong key", error.Message);
    }

    [Fact]
    public void EncryptedGallery_WithoutKey_IsRefused_EvenReadOnly()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, With(Key))) gallery.Enroll("alice", Faces.Templates(1));

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath));
        var readOnly = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath, new GalleryOptions { ReadOnly = true }));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.Contains("is encrypted; give its key", error.Message);
        Assert.Contains("is encrypted", readOnly.Message);
    }

    [Fact]
    public void ClearGalleryWithTemplates_OpenedWithAKey_IsRefused_NotMixed()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath)) gallery.Enroll("alice", Faces.Templates(1));

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath, With(Key)));

        Assert.Equal(ErrorCode.Conflict, error.Code);
        Assert.Contains("refusing to mix", error.Message);
        using var connection = Connect();
        Assert.Equal(0L, Row(connection).Sealed);
    }

    [Fact]
    public void ClearInstanceOpenedBeforeEncryption_CannotWriteClearRowsAfterwards()
    {
        var clear = _fixture.Open();                      // empty gallery, no key
        var sealedOne = _fixture.Open(With(Key));         // marks it encrypted
        sealedOne.Enroll("alice", Faces.Templates(1));

        var error = Assert.Throws<FaceKitException>(() => clear.Enroll("mallory", Faces.Templates(2)));

        Assert.Contains("is encrypted", error.Message.Replace("has been encrypted", "is encrypted"));
        Assert.Equal(1, sealedOne.TemplateCount);
    }

    [Fact]
    public void RowMovedToAnotherSubject_FailsToOpen_InsteadOfMatchingTheWrongName()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, With(Key)))
        {
            gallery.Enroll("alice", Faces.Templates(1));
            gallery.Enroll("mallory", Faces.Templates(2));
        }
        using (var connection = Connect())
        {
            // An attacker with write access to the file re-labels mallory's template as alice's.
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE templates SET subject_id = (SELECT id FROM subjects WHERE name = 'alice') " +
                                  "WHERE subject_id = (SELECT id FROM subjects WHERE name = 'mallory')";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath, With(Key)));

        Assert.Contains("does not open with this key", error.Message);
    }

    [Fact]
    public void FlippedCiphertextByte_IsDetected_NoGarbageVector()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, With(Key))) gallery.Enroll("alice", Faces.Templates(1));
        using (var connection = Connect())
        {
            var blob = Row(connection).Vector;
            blob[40] ^= 0x01;
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE templates SET vector = $v";
            command.Parameters.AddWithValue("$v", blob);
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath, With(Key)));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.Contains("template 1", error.Message);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(31)]
    [InlineData(33)]
    public void KeyOfTheWrongSize_IsBadInput_AndCreatesNoFile(int size)
    {
        var error = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath, With(new byte[size])));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.False(File.Exists(_fixture.DbPath));
    }

    [Fact]
    public void GalleryKey_ParsesRawBase64AndHex_AndRefusesJunk()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        key[0] = 0; // not printable: read as raw bytes
        Assert.Equal(key, GalleryKey.Parse(key, "test"));
        Assert.Equal(key, GalleryKey.Parse(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"), "test"));
        Assert.Equal(key, GalleryKey.Parse(Convert.ToHexString(key), "test"));
        Assert.Equal(32, GalleryKey.Parse(GalleryKey.Generate(), "test").Length);
        var error = Assert.Throws<FaceKitException>(() => GalleryKey.Parse("hunter2", "variable FACEKIT_KEY"));
        Assert.Contains("variable FACEKIT_KEY", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
        Assert.Throws<FaceKitException>(() => GalleryKey.Parse(""u8, "empty file"));
    }

    [Fact]
    public void SchemaOneGallery_IsUpgraded_KeepingIdsAndTheIdHighWaterMark()
    {
        // A version-1 file as the previous FaceKit wrote it, where template 3 was deleted.
        using (var connection = Connect())
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE subjects (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, created_utc TEXT NOT NULL, updated_utc TEXT NOT NULL);
                CREATE TABLE templates (id INTEGER PRIMARY KEY AUTOINCREMENT, subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
                    model_id TEXT NOT NULL, dim INTEGER NOT NULL CHECK (dim > 0), vector BLOB NOT NULL CHECK (length(vector) = dim * 4),
                    created_utc TEXT NOT NULL, image BLOB NULL);
                CREATE INDEX templates_by_subject ON templates(subject_id);
                CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }
        using (var v1 = Connect())
        {
            Exec(v1, "INSERT INTO subjects VALUES (1, 'alice', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
            Exec(v1, $"INSERT INTO settings VALUES ('gallery.model_id', '{Faces.Model}'), ('gallery.dim', '{Faces.Dim}')");
            for (int id = 1; id <= 3; id++)
            {
                using var insert = v1.CreateCommand();
                insert.CommandText = "INSERT INTO templates (id, subject_id, model_id, dim, vector, created_utc) VALUES ($id, 1, $m, $d, $v, '2026-01-01T00:00:00.000Z')";
                insert.Parameters.AddWithValue("$id", id);
                insert.Parameters.AddWithValue("$m", Faces.Model);
                insert.Parameters.AddWithValue("$d", Faces.Dim);
                var bytes = new byte[Faces.Dim * 4];
                Buffer.BlockCopy(Faces.Vector(id), 0, bytes, 0, bytes.Length);
                insert.Parameters.AddWithValue("$v", bytes);
                insert.ExecuteNonQuery();
            }
            Exec(v1, "DELETE FROM templates WHERE id = 3");
        }

        var gallery = _fixture.Open();
        Assert.Equal(2, gallery.TemplateCount);
        Assert.Equal("alice", gallery.Identify(Faces.Template(2), 1)[0].Name);
        gallery.Enroll("bob", Faces.Templates(4));
        Assert.Equal([1L, 2L], gallery.ListTemplates("alice").Select(t => t.Id));
        Assert.Equal(4L, gallery.ListTemplates("bob")[0].Id);
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={_fixture.DbPath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static (byte[] Vector, byte[] Image, long Sealed) Row(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT vector, coalesce(image, x''), sealed FROM templates ORDER BY id LIMIT 1";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return ((byte[])reader[0], (byte[])reader[1], reader.GetInt64(2));
    }
}

public sealed class ChangeKeyTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void ClearGallery_IsEncrypted_ReKeyed_AndDecrypted_KeepingEveryAnswer()
    {
        byte[] first = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), second = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var image = "an image"u8.ToArray();
        using (var gallery = SqliteGallery.Open(_fixture.DbPath))
        {
            gallery.Enroll("alice", [Faces.Near(1, 1), Faces.Near(1, 2)], [image, null]);
            gallery.Enroll("bob", Faces.Templates(2));
        }

        Assert.Equal(3, SqliteGallery.ChangeKey(_fixture.DbPath, null, first));
        Assert.Throws<FaceKit.Core.Errors.FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath));
        Assert.Throws<FaceKit.Core.Errors.FaceKitException>(() => SqliteGallery.ChangeKey(_fixture.DbPath, second, null)); // wrong current key
        Assert.Equal(3, SqliteGallery.ChangeKey(_fixture.DbPath, first, second));
        Assert.Throws<FaceKit.Core.Errors.FaceKitException>(() => SqliteGallery.Open(_fixture.DbPath, new GalleryOptions { EncryptionKey = first }));
        using (var sealedGallery = SqliteGallery.Open(_fixture.DbPath, new GalleryOptions { EncryptionKey = second }))
        {
            Assert.Equal("alice", sealedGallery.Identify(Faces.Near(1, 9), 1)[0].Name);
            Assert.Equal(image, sealedGallery.GetTemplateImage(sealedGallery.ListTemplates("alice")[0].Id));
        }
        Assert.Equal(3, SqliteGallery.ChangeKey(_fixture.DbPath, second, null));

        using var clear = SqliteGallery.Open(_fixture.DbPath);
        Assert.False(clear.IsEncrypted);
        Assert.Equal("bob", clear.Identify(Faces.Template(2), 1)[0].Name);
        Assert.Equal(image, clear.GetTemplateImage(clear.ListTemplates("alice")[0].Id));
        Assert.Equal(3, clear.ReadAudit().Count(e => e.Action == "change-key"));
    }
}
