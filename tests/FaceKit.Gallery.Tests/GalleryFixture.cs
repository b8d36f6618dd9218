using FaceKit.Testing;

namespace FaceKit.Gallery.Tests;

/// <summary>A temp folder with a gallery file path in it; galleries opened through it are disposed with it.</summary>
internal sealed class GalleryFixture : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<SqliteGallery> _opened = [];

    public string DbPath => _dir.File("gallery.db");

    public string File(string name) => _dir.File(name);

    public SqliteGallery Open(GalleryOptions? options = null) => Open(DbPath, options);

    public SqliteGallery Open(string path, GalleryOptions? options = null)
    {
        var gallery = SqliteGallery.Open(path, options);
        _opened.Add(gallery);
        return gallery;
    }

    public void Dispose()
    {
        foreach (var gallery in _opened) gallery.Dispose();
        _dir.Dispose();
    }
}
