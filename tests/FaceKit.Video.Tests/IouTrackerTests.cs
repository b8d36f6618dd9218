using FaceKit.Core.Geometry;
using FaceKit.Video.Tracking;

namespace FaceKit.Video.Tests;

public class IouTrackerTests
{
    private static DetectedFace Face(float x, float y, float size = 60) =>
        new(new BoxF(x, y, x + size, y + size), 0.9f, default);

    [Fact]
    public void MovingFaces_KeepTheirIds_AndANewcomerGetsANewOne()
    {
        var tracker = new IouTracker();
        var first = tracker.Update([Face(10, 10), Face(200, 50)], 0);
        int a = first[0].Id, b = first[1].Id;
        Assert.NotEqual(a, b);

        for (int step = 1; step <= 20; step++)
        {
            // Listed in the other order each time: association is by overlap, not by position in the list.
            var seen = tracker.Update([Face(200 - 3 * step, 50 + step), Face(10 + 4 * step, 10)], step);
            Assert.Equal(2, seen.Count);
            Assert.Equal(a, seen.Single(t => t.Box.Y1 == 10).Id);
            Assert.Equal(b, seen.Single(t => t.Box.Y1 > 10).Id);
        }

        var withNew = tracker.Update([Face(90, 10), Face(140, 71), Face(400, 300)], 21);
        Assert.Equal(3, tracker.Tracks.Count);
        Assert.DoesNotContain(withNew.Last().Id, new[] { a, b });
    }

    [Fact]
    public void UnseenTrack_SurvivesMaxMissedRounds_ThenEnds()
    {
        var tracker = new IouTracker(new TrackerOptions { MaxMissed = 3 });
        int id = tracker.Update([Face(10, 10)], 0)[0].Id;
        for (int i = 1; i <= 3; i++) Assert.Empty(tracker.Update([], i));
        Assert.Single(tracker.Tracks);
        Assert.Equal(id, tracker.Update([Face(12, 11)], 4)[0].Id);

        for (int i = 5; i <= 9; i++) tracker.Update([], i);
        Assert.Empty(tracker.Tracks);
        Assert.NotEqual(id, tracker.Update([Face(12, 11)], 10)[0].Id);
    }

    [Fact]
    public void AJump_LargerThanTheFace_StartsANewTrack()
    {
        var tracker = new IouTracker();
        int id = tracker.Update([Face(10, 10)], 0)[0].Id;
        Assert.NotEqual(id, tracker.Update([Face(300, 300)], 1)[0].Id);
    }
}
