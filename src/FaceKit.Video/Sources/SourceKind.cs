namespace FaceKit.Video.Sources;

public enum SourceKind
{
    File,
    Rtsp,
    Camera,
    Folder,
}
