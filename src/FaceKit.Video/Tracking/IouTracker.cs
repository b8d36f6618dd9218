using FaceKit.Core.Geometry;

namespace FaceKit.Video.Tracking;

/// <summary>
/// Associates each round of detections with the existing tracks by box overlap, greedily from the best
/// overlapping pair down, so a face keeps its id while it moves less than its own size between rounds.
/// Faces in video move little between detections, which is why a motion model (SORT's Kalman filter) is not needed here.
/// </summary>
public sealed class IouTracker(TrackerOptions? options = null)
{
    private readonly TrackerOptions _options = options ?? new TrackerOptions();
    private readonly List<Track> _tracks = [];
    private int _nextId = 1;

    /// <summary>Tracks alive now (seen in the latest round or missed for at most MaxMissed rounds).</summary>
    public IReadOnlyList<Track> Tracks => _tracks;

    /// <summary>Feeds one round of detections; returns the tracks that were seen in it, new ones included.</summary>
    public IReadOnlyList<Track> Update(IReadOnlyList<DetectedFace> faces, long frame)
    {
        var pairs = new List<(float IoU, int Track, int Face)>();
        for (int t = 0; t < _tracks.Count; t++)
        for (int f = 0; f < faces.Count; f++)
        {
            float iou = _tracks[t].Box.IoU(faces[f].Box);
            if (iou >= _options.MinIoU) pairs.Add((iou, t, f));
        }
        pairs.Sort((a, b) => b.IoU.CompareTo(a.IoU));
        var trackTaken = new bool[_tracks.Count];
        var faceTaken = new bool[faces.Count];
        var seen = new List<Track>(faces.Count);
        foreach (var (_, t, f) in pairs)
        {
            if (trackTaken[t] || faceTaken[f]) continue;
            trackTaken[t] = faceTaken[f] = true;
            var track = _tracks[t];
            track.Face = faces[f];
            track.LastSeenFrame = frame;
            track.Hits++;
            track.Missed = 0;
            seen.Add(track);
        }
        for (int t = _tracks.Count - 1; t >= 0; t--)
            if (!trackTaken[t] && ++_tracks[t].Missed > _options.MaxMissed) _tracks.RemoveAt(t);
        for (int f = 0; f < faces.Count; f++)
        {
            if (faceTaken[f]) continue;
            var track = new Track(_nextId++, faces[f], frame);
            _tracks.Add(track);
            seen.Add(track);
        }
        return seen;
    }

    public void Clear() => _tracks.Clear();
}
