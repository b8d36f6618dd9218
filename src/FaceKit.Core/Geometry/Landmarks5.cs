namespace FaceKit.Core.Geometry;

/// <summary>
/// The five points every alignment in FaceKit uses, in the ArcFace order: the subject's left eye as it
/// appears on the image's left, right eye, nose tip, left and right mouth corners.
/// </summary>
public readonly record struct Landmarks5(PointF LeftEye, PointF RightEye, PointF Nose, PointF MouthLeft, PointF MouthRight)
{
    public const int Count = 5;

    public PointF this[int index] => index switch
    {
        0 => LeftEye,
        1 => RightEye,
        2 => Nose,
        3 => MouthLeft,
        4 => MouthRight,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public static Landmarks5 FromPoints(ReadOnlySpan<PointF> p) =>
        p.Length == Count ? new(p[0], p[1], p[2], p[3], p[4]) : throw new ArgumentException("five points expected", nameof(p));

    public PointF[] ToArray() => [LeftEye, RightEye, Nose, MouthLeft, MouthRight];

    public Landmarks5 Offset(float dx, float dy) => new(
        new(LeftEye.X + dx, LeftEye.Y + dy), new(RightEye.X + dx, RightEye.Y + dy), new(Nose.X + dx, Nose.Y + dy),
        new(MouthLeft.X + dx, MouthLeft.Y + dy), new(MouthRight.X + dx, MouthRight.Y + dy));

    /// <summary>Distance between the eye centres, the usual measure of face size in biometrics.</summary>
    public float InterEyeDistance => MathF.Sqrt(Sq(RightEye.X - LeftEye.X) + Sq(RightEye.Y - LeftEye.Y));

    private static float Sq(float v) => v * v;
}
